#!/bin/sh
# /usr/bin/vipd in the container image (deploy/docker/Dockerfile). The image runs as user vipd,
# and Docker and Kubernetes give a non-root process no capabilities of its own, only a bounding
# set (--cap-add, securityContext.capabilities.add). The commands that change the host's network
# get CAP_NET_ADMIN and CAP_NET_RAW from vipd-caps, a copy of setpriv that carries them as file
# capabilities (permitted, not effective): it raises them as ambient capabilities, as systemd's
# AmbientCapabilities= does, so that node and whatever vipd starts (ip, arping, health checks,
# notify scripts) have them. The other commands (check, certs, --version) run without.
set -e

node=/usr/local/bin/node
main=/usr/lib/vipd/dist/src/cli/vipd.js
caps=/usr/lib/vipd/bin/vipd-caps
set_caps="--inh-caps=+net_admin,+net_raw --ambient-caps=+net_admin,+net_raw"

needs_caps=
case "${1-}" in
  run|cleanup) needs_caps=1 ;;
  # --cloud runs every provider's preflight, and the local provider's checks the capabilities.
  check) for arg in "$@"; do if [ "$arg" = --cloud ]; then needs_caps=1; fi; done ;;
esac

if [ -n "$needs_caps" ]; then
  # shellcheck disable=SC2086 # two options, split on purpose
  if ! "$caps" $set_caps -- true 2>/dev/null; then
    echo "vipd: cannot raise CAP_NET_ADMIN and CAP_NET_RAW. Docker: --cap-add NET_ADMIN --cap-add NET_RAW," \
      "without --security-opt no-new-privileges; Kubernetes: securityContext.capabilities.add [NET_ADMIN, NET_RAW]" \
      "and allowPrivilegeEscalation not false (deploy/docker/README.md)" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  exec "$caps" $set_caps -- "$node" "$main" "$@"
fi
exec "$node" "$main" "$@"
