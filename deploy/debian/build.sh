#!/usr/bin/env bash
# Builds vipd_<version>_<arch>.deb from this checkout (working tree as it is) with dpkg-deb.
#
#   deploy/debian/build.sh [--reuse-node-modules] [--compress xz|gzip|zstd|none] OUTDIR
#
# The checkout is copied to a temporary directory and built there (`npm ci`, `npm run build`),
# so neither its dist/ nor its node_modules change. --reuse-node-modules compiles with the
# checkout's node_modules instead of a fresh `npm ci` (it must have been installed, dev
# dependencies included). Either way the package gets its own production dependencies from
# `npm ci --omit=dev`, which also builds the native parts (the local provider's addon, raw-socket
# for VRRP) for this machine's Node and architecture: hence Architecture is this machine's.
# Needs dpkg-deb, node and npm (>= 20), and g++, make, python3 for the native parts; npm reads
# its usual settings (npm_config_offline=true builds from the npm cache alone).
#
# What lands where (deploy/debian/README.md):
#   /usr/lib/vipd/{package.json,dist,node_modules,proto,src/api/dashboard,docs/vipd.schema.json}
#   /usr/lib/vipd/providers/local/native/build/Release/local_link.node
#   /usr/bin/vipd, /usr/bin/vipctl, /lib/systemd/system/vipd.service, /etc/vipd/vipd.yaml.example
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() { echo "build.sh: $*" >&2; exit 1; }
usage() { sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^#   //' >&2; exit 2; }

reuse=0
compress=xz
out=
while (($# > 0)); do
  case "$1" in
    --reuse-node-modules) reuse=1 ;;
    --compress) (($# > 1)) || usage; compress=$2; shift ;;
    --compress=*) compress=${1#--compress=} ;;
    -h|--help) usage ;;
    -*) echo "build.sh: unknown option $1" >&2; usage ;;
    *) [[ -z $out ]] || usage; out=$1 ;;
  esac
  shift
done
[[ -n $out ]] || usage
case "$compress" in xz|gzip|zstd|none) ;; *) die "--compress must be xz, gzip, zstd or none" ;; esac
for tool in dpkg-deb dpkg node npm tar; do command -v "$tool" >/dev/null || die "$tool is not installed"; done
mkdir -p "$out"
out=$(cd "$out" && pwd)

# npm's version (1.2.3-rc.1) as Debian's: a pre-release sorts before its release with "~".
npm_version=$(node -p 'require(process.argv[1]).version' "$repo/package.json")
[[ $npm_version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "package.json version $npm_version is not semver"
version=${npm_version/-/\~}
arch=$(dpkg --print-architecture)
deb="$out/vipd_${version}_${arch}.deb"

work=$(mktemp -d "${TMPDIR:-/tmp}/vipd-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT

# 1. Compile in a copy. What tsconfig.build.json compiles and what the build reads; never the
#    checkout's own build outputs (dist/, the addon built for the checkout).
src="$work/src"
mkdir -p "$src"
tar -C "$repo" --exclude=providers/local/native/build --exclude=node_modules -cf - \
  package.json package-lock.json tsconfig.json tsconfig.build.json src providers proto docs/vipd.schema.json \
  | tar -C "$src" -xf -
if ((reuse)); then
  [[ -x $repo/node_modules/.bin/tsc ]] || die "--reuse-node-modules: $repo/node_modules has no tsc (run npm ci there first)"
  ln -s "$repo/node_modules" "$src/node_modules"
  (cd "$src" && npm run --silent build)
  rm "$src/node_modules"
else
  # The dev install only compiles: its native parts are not shipped (step 2 builds them).
  (cd "$src" && VIPD_NATIVE=0 npm ci --no-audit --no-fund --loglevel=warn && npm run --silent build)
fi
[[ -f $src/dist/src/cli/vipd.js && -f $src/dist/src/cli/vipctl.js ]] || die "npm run build made no dist/src/cli/vipd.js"

# 2. The installed tree: production dependencies only, installed where they run. The root
#    package's install script (providers/local/native/build.mjs) builds the addon in place.
root="$work/root"
lib="$root/usr/lib/vipd"
mkdir -p "$lib/providers/local/native" "$lib/src/api" "$lib/docs"
cp "$repo/package.json" "$repo/package-lock.json" "$lib/"
cp "$repo/providers/local/native/binding.gyp" "$repo/providers/local/native/build.mjs" "$repo/providers/local/native/local_link.c" "$lib/providers/local/native/"
(cd "$lib" && npm ci --omit=dev --no-audit --no-fund --loglevel=warn)
addon="$lib/providers/local/native/build/Release/local_link.node"
if [[ ! -f $addon ]]; then
  # build.mjs lets an install without a compiler succeed (the provider then spawns ip/arping);
  # a package must not ship that by accident.
  [[ ${VIPD_NATIVE:-} == 0 ]] || die "the local provider's native part did not build (install g++, make, python3; or VIPD_NATIVE=0 for a package without it)"
fi
[[ -f $lib/node_modules/raw-socket/build/Release/raw.node ]] || die "raw-socket (VRRP's raw sockets) did not build; LAN groups would not run"
# Keep the addon, drop its sources and intermediate objects; the lock file served npm ci.
if [[ -f $addon ]]; then
  mv "$addon" "$work/local_link.node"
  rm -rf "$lib/providers/local/native"
  mkdir -p "$(dirname "$addon")"
  mv "$work/local_link.node" "$addon"
else
  rm -rf "$lib/providers/local"
fi
rm -f "$lib/package-lock.json"

# What dist/ reads at run time, at the paths it looks for them (src/wire/proto.ts walks up from
# dist/src/wire to proto/; src/api/assets.ts takes ../../../src/api/dashboard from dist/src/api;
# src/cli/version.ts walks up to package.json, which also makes dist/ ES modules).
cp -a "$src/dist" "$lib/dist"
# Source maps point at TypeScript files the package does not ship.
find "$lib/dist" -name '*.map' -delete
cp -a "$src/proto" "$lib/proto"
cp -a "$src/src/api/dashboard" "$lib/src/api/dashboard"
cp "$src/docs/vipd.schema.json" "$lib/docs/vipd.schema.json"

mkdir -p "$root/usr/bin"
for cmd in vipd vipctl; do
  printf '#!/bin/sh\nexec /usr/bin/node /usr/lib/vipd/dist/src/cli/%s.js "$@"\n' "$cmd" > "$root/usr/bin/$cmd"
done

mkdir -p "$root/lib/systemd/system" "$root/etc/vipd" "$root/usr/share/doc/vipd"
cp "$repo/deploy/systemd/vipd.service" "$root/lib/systemd/system/vipd.service"
cp "$here/vipd.yaml.example" "$root/etc/vipd/vipd.yaml.example"
cp "$repo/README.md" "$root/usr/share/doc/vipd/README.md"
cp "$repo/deploy/systemd/README.md" "$root/usr/share/doc/vipd/README.systemd.md"
cat > "$root/usr/share/doc/vipd/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vipd

Files: *
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0. The bundled node_modules carry their own licences in
 /usr/lib/vipd/node_modules/*/LICENSE*.
EOF

# 3. Modes: what npm and cp made, normalised; then the few that differ.
chmod -R u+rwX,go+rX,go-w "$root"
chmod 0755 "$root/usr/bin/vipd" "$root/usr/bin/vipctl"
chmod 0644 "$root/lib/systemd/system/vipd.service" "$root/etc/vipd/vipd.yaml.example"
# root:root here (dpkg-deb --root-owner-group); postinst gives the group to vipd.
chmod 0750 "$root/etc/vipd"

mkdir -p "$root/DEBIAN"
installed_size=$(du -sk --apparent-size "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: vipd
Version: $version
Architecture: $arch
Maintainer: ${VIPD_DEB_MAINTAINER:-vipd maintainers <vipd@example.org>}
Installed-Size: $installed_size
Depends: nodejs (>= 20), iproute2, adduser
Recommends: iputils-arping, libndp-tools
Section: net
Priority: optional
Description: keeps a virtual IP on exactly one node
 vipd runs a VRRP-equivalent election (RFC 5798) among a group of nodes and has the winner hold
 the virtual IP: on a local interface (gratuitous ARP, unsolicited NA), as an AWS Elastic IP,
 secondary IP or route, or as a GCP alias range, external address or route. Unicast gRPC with
 mutual TLS, signed adverts and quorum leases, or standard VRRP beside keepalived and FRR.
 .
 iputils-arping and libndp-tools are used only when the native part does not load.
EOF
echo /etc/vipd/vipd.yaml.example > "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do install -m 0755 "$here/$script" "$root/DEBIAN/$script"; done
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"

dpkg-deb --root-owner-group -Z"$compress" --build "$root" "$deb" >/dev/null
echo "$deb"
