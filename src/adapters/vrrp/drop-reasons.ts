/**
 * Why the VRRP transport drops a received packet, counted in
 * `vipd_vrrp_dropped_total{interface,reason}` and logged once per reason per 10 s
 * (docs/lan-mode.md "What vipd checks on receive"). Every decoder failure is `malformed`;
 * the decoder's text says what exactly, in the log.
 *
 * A new reason is one line here; docs/metrics.md lists them all (test/unit/docs/metrics.test.ts
 * checks that it does).
 */
export const VRRP_DROP_REASONS = [
  /** Not a valid IPv4 or VRRP packet (length, version, type, address count, checksum). */
  'malformed',
  /** TTL / hop limit not 255: not from this link (RFC 5798 §5.1.1.3). */
  'ttl',
  /** Lists no address: Count IPvX Addrs is at least 1 (RFC 5798 §5.2.5, RFC 3768 §5.3.5). */
  'no-addresses',
  /** Another VRRP router's VRID on the segment. */
  'other-vrid',
  /** VRRPv2 for a v3 group or the reverse. */
  'version',
  /** VRRPv2 authentication other than the group's (RFC 3768 §5.3.6). */
  'auth',
] as const;

export type VrrpDropReason = (typeof VRRP_DROP_REASONS)[number];
