/*
 * local_link: the few Linux socket calls the local provider makes on the takeover path, so that
 * nothing is spawned between the decision and the first announcement (issue 10). It only opens
 * sockets (optionally inside a named network namespace), exchanges already-encoded bytes and
 * closes them: every message is built and parsed in TypeScript (src/wire/rtnetlink.ts,
 * src/wire/arp.ts, src/wire/ndp.ts). Every call is synchronous and never blocks: rtnetlink
 * answers a request inside sendmsg (RFC 3549 §2.3.2 request/response), packet sends return at
 * once, and receives use MSG_DONTWAIT.
 *
 * Sockets:
 *   route  — AF_NETLINK / NETLINK_ROUTE (RTM_GETLINK, RTM_GETADDR, RTM_NEWADDR, RTM_DELADDR, RTM_DELROUTE)
 *   packet — AF_PACKET / SOCK_RAW, protocol 0: sends whole Ethernet frames (gratuitous ARP,
 *            RFC 5227 §3), receives nothing
 *   arp    — AF_PACKET / SOCK_RAW, ETH_P_ARP, bound to one interface: receives ARP (conflict probes)
 *   icmp6  — AF_INET6 / SOCK_RAW / IPPROTO_ICMPV6, hop limit 255 (RFC 4861 §7.1.2): sends
 *            (unsolicited NA, Neighbor Solicitation), lets nothing in (ICMP6_FILTER); the kernel
 *            fills in the checksum (RFC 3542 §3.1)
 *   nd     — the same, letting in only Neighbor Advertisements (conflict probes)
 */
#define _GNU_SOURCE
#include <node_api.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define MAX_RESPONSE (8 << 20)
#define MAX_RECEIVED 256

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char message[256];
  snprintf(message, sizeof message, "%s: %s", what, strerror(err));
  napi_value msg, error, code;
  napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &code);
  napi_set_named_property(env, error, "errno", code);
  napi_throw(env, error);
  return NULL;
}

static napi_value throw_type(napi_env env, const char *message) {
  napi_throw_type_error(env, NULL, message);
  return NULL;
}

static int arg_int(napi_env env, napi_value v, int32_t *out) {
  return napi_get_value_int32(env, v, out) == napi_ok;
}

static int arg_bytes(napi_env env, napi_value v, void **data, size_t *length) {
  bool is;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return 0;
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, data, &buffer, &offset) != napi_ok) return 0;
  return type == napi_uint8_array;
}

static napi_value make_int(napi_env env, int64_t n) {
  napi_value v;
  napi_create_int64(env, n, &v);
  return v;
}

static napi_value make_undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

enum kind { KIND_ROUTE, KIND_PACKET, KIND_ARP, KIND_ICMP6, KIND_ND };

static int open_kind(enum kind kind, int ifindex) {
  int fd = -1;
  switch (kind) {
    case KIND_ROUTE: {
      fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
      if (fd < 0) return -1;
      struct sockaddr_nl local = { .nl_family = AF_NETLINK };
      if (bind(fd, (struct sockaddr *)&local, sizeof local) < 0) goto fail;
      int one = 1;
      /* Errors with the kernel's own words, and only the failing message echoed back (RFC 3549 extended by Linux). */
      setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
      setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
      /* Dumps filtered by the kernel (an RTM_GETADDR dump with ifa_index gives one interface's, Linux 4.20+). */
      setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
      return fd;
    }
    case KIND_PACKET:
      return socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    case KIND_ARP: {
      fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP));
      if (fd < 0) return -1;
      struct sockaddr_ll at = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP), .sll_ifindex = ifindex };
      if (bind(fd, (struct sockaddr *)&at, sizeof at) < 0) goto fail;
      return fd;
    }
    case KIND_ICMP6:
    case KIND_ND: {
      fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_ICMPV6);
      if (fd < 0) return -1;
      int hops = 255;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops) < 0) goto fail;
      if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops) < 0) goto fail;
      int loop = 0;
      setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof loop);
      struct icmp6_filter filter;
      ICMP6_FILTER_SETBLOCKALL(&filter);
      if (kind == KIND_ND) ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
      if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) < 0) goto fail;
      if (ifindex > 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0) goto fail;
      return fd;
    }
  }
  errno = EINVAL;
  return -1;
fail: {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
}

/*
 * open(kind, netnsPath | undefined, ifindex) -> fd. With a path (/run/netns/NAME) the socket is
 * made inside that namespace: this thread enters it, creates the socket and returns to its own
 * namespace (setns(2) with CLONE_NEWNET acts on the calling thread only). A socket stays in the
 * namespace it was made in.
 */
static napi_value js_open(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return throw_type(env, "open(kind, netnsPath, ifindex)");
  char kind_name[16];
  size_t kind_length;
  if (napi_get_value_string_utf8(env, argv[0], kind_name, sizeof kind_name, &kind_length) != napi_ok) return throw_type(env, "kind must be a string");
  enum kind kind;
  if (strcmp(kind_name, "route") == 0) kind = KIND_ROUTE;
  else if (strcmp(kind_name, "packet") == 0) kind = KIND_PACKET;
  else if (strcmp(kind_name, "arp") == 0) kind = KIND_ARP;
  else if (strcmp(kind_name, "icmp6") == 0) kind = KIND_ICMP6;
  else if (strcmp(kind_name, "nd") == 0) kind = KIND_ND;
  else return throw_type(env, "kind must be route, packet, arp, icmp6 or nd");
  int32_t ifindex = 0;
  if (!arg_int(env, argv[2], &ifindex)) return throw_type(env, "ifindex must be an integer");

  napi_valuetype path_type;
  napi_typeof(env, argv[1], &path_type);
  if (path_type != napi_string) {
    int fd = open_kind(kind, ifindex);
    if (fd < 0) return throw_errno(env, "socket", errno);
    return make_int(env, fd);
  }
  char path[512];
  size_t path_length;
  if (napi_get_value_string_utf8(env, argv[1], path, sizeof path, &path_length) != napi_ok || path_length >= sizeof path - 1) return throw_type(env, "netns path too long");
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) return throw_errno(env, "opening /proc/thread-self/ns/net", errno);
  int target = open(path, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    int err = errno;
    close(home);
    char what[600];
    snprintf(what, sizeof what, "opening network namespace %s", path);
    return throw_errno(env, what, err);
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int err = errno;
    close(home);
    close(target);
    return throw_errno(env, "entering the network namespace", err);
  }
  int fd = open_kind(kind, ifindex);
  int err = errno;
  close(target);
  if (setns(home, CLONE_NEWNET) < 0) {
    /* The thread would stay in the wrong namespace: nothing sane can follow. */
    fprintf(stderr, "local_link: cannot return to the home network namespace: %s\n", strerror(errno));
    abort();
  }
  close(home);
  if (fd < 0) return throw_errno(env, "socket", err);
  return make_int(env, fd);
}

static napi_value js_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_type(env, "close(fd)");
  close(fd);
  return make_undefined(env);
}

/*
 * request(fd, bytes) -> Buffer: sends one netlink request (a message with NLM_F_REQUEST; its
 * nlmsg_seq is the caller's) and returns every message that came back for it, up to
 * NLMSG_DONE or NLMSG_ERROR (the ACK), concatenated. rtnetlink processes the request inside
 * sendmsg, so the answer (the first part of a dump) is queued before send returns; the rest of a
 * dump is produced by each recvmsg. EAGAIN before the end is an error, never a wait.
 */
static napi_value js_request(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  void *data;
  size_t length;
  if (argc < 2 || !arg_int(env, argv[0], &fd) || !arg_bytes(env, argv[1], &data, &length) || length < sizeof(struct nlmsghdr)) {
    return throw_type(env, "request(fd, Uint8Array netlink message)");
  }
  uint32_t seq = ((struct nlmsghdr *)data)->nlmsg_seq;
  struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
  /* Drop anything stale (an answer to an earlier request that failed half way). */
  char scratch[8192];
  while (recv(fd, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {}
  if (sendto(fd, data, length, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) return throw_errno(env, "netlink send", errno);

  size_t capacity = 65536, used = 0;
  char *out = malloc(capacity);
  if (!out) return throw_errno(env, "netlink receive", ENOMEM);
  int done = 0;
  while (!done) {
    if (capacity - used < 32768) {
      if (capacity >= MAX_RESPONSE) { free(out); return throw_errno(env, "netlink answer too long", EMSGSIZE); }
      capacity *= 2;
      char *grown = realloc(out, capacity);
      if (!grown) { free(out); return throw_errno(env, "netlink receive", ENOMEM); }
      out = grown;
    }
    ssize_t n = recv(fd, out + used, capacity - used, MSG_DONTWAIT);
    if (n < 0) {
      int err = errno;
      if (err == EINTR) continue;
      free(out);
      return throw_errno(env, err == EAGAIN ? "netlink: no answer from the kernel" : "netlink receive", err);
    }
    if (n == 0) break;
    /* Keep only the messages of our request; stop at its end. */
    size_t at = used, end = used + (size_t)n, kept = used;
    while (at + sizeof(struct nlmsghdr) <= end) {
      struct nlmsghdr *h = (struct nlmsghdr *)(out + at);
      size_t len = h->nlmsg_len;
      if (len < sizeof(struct nlmsghdr) || at + len > end) break;
      size_t aligned = NLMSG_ALIGN(len);
      if (h->nlmsg_seq == seq) {
        if (kept != at) memmove(out + kept, out + at, len);
        kept += aligned > end - at ? len : aligned;
        if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_MULTI)) done = 1;
      }
      at += aligned;
      if (done) break;
    }
    used = kept;
  }
  napi_value result;
  void *copy;
  napi_create_buffer_copy(env, used, out, &copy, &result);
  free(out);
  return result;
}

/* sendFrame(fd, ifindex, frame): one whole Ethernet frame (destination MAC first) out of ifindex. */
static napi_value js_send_frame(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, ifindex;
  void *data;
  size_t length;
  if (argc < 3 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &ifindex) || !arg_bytes(env, argv[2], &data, &length) || length < 14) {
    return throw_type(env, "sendFrame(fd, ifindex, Uint8Array Ethernet frame)");
  }
  const unsigned char *frame = data;
  struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
  to.sll_protocol = htons((uint16_t)((frame[12] << 8) | frame[13]));
  memcpy(to.sll_addr, frame, 6);
  ssize_t n = sendto(fd, data, length, 0, (struct sockaddr *)&to, sizeof to);
  if (n < 0) return throw_errno(env, "sending the frame", errno);
  return make_int(env, n);
}

/* sendIcmp6(fd, ifindex, destination[16], message): one ICMPv6 message; the kernel picks the source and fills the checksum. */
static napi_value js_send_icmp6(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, ifindex;
  void *dst, *data;
  size_t dst_length, length;
  if (argc < 4 || !arg_int(env, argv[0], &fd) || !arg_int(env, argv[1], &ifindex) || !arg_bytes(env, argv[2], &dst, &dst_length) || dst_length != 16 || !arg_bytes(env, argv[3], &data, &length)) {
    return throw_type(env, "sendIcmp6(fd, ifindex, Uint8Array(16) destination, Uint8Array message)");
  }
  if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex) < 0) return throw_errno(env, "IPV6_MULTICAST_IF", errno);
  struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex };
  memcpy(&to.sin6_addr, dst, 16);
  ssize_t n = sendto(fd, data, length, 0, (struct sockaddr *)&to, sizeof to);
  if (n < 0) return throw_errno(env, "sending the ICMPv6 message", errno);
  return make_int(env, n);
}

/* receive(fd) -> Buffer[]: whatever is queued (at most MAX_RECEIVED datagrams), without waiting. */
static napi_value js_receive(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (argc < 1 || !arg_int(env, argv[0], &fd)) return throw_type(env, "receive(fd)");
  napi_value list;
  napi_create_array(env, &list);
  unsigned char buffer[2048];
  for (uint32_t i = 0; i < MAX_RECEIVED; i++) {
    ssize_t n = recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) { i--; continue; }
      if (errno == EAGAIN) break;
      return throw_errno(env, "receive", errno);
    }
    napi_value item;
    void *copy;
    napi_create_buffer_copy(env, (size_t)n, buffer, &copy, &item);
    napi_set_element(env, list, i, item);
  }
  return list;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, js_open, NULL, NULL, NULL, napi_enumerable, NULL },
    { "close", NULL, js_close, NULL, NULL, NULL, napi_enumerable, NULL },
    { "request", NULL, js_request, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendFrame", NULL, js_send_frame, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendIcmp6", NULL, js_send_icmp6, NULL, NULL, NULL, napi_enumerable, NULL },
    { "receive", NULL, js_receive, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
