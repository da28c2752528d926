/**
 * Why the election core drops a received advert: meaning checks on an advert that decoded
 * (RFC 5798 §6.4.2 / §6.4.3 name the fields; RFC 3768 §7.1 the v2 interval rule). Each drop is
 * counted in `vipd_adverts_dropped_total{group,reason}` and logged. Syntax is checked earlier,
 * by the decoders, and counted by the transport as `malformed`.
 *
 * A new reason is one line here; docs/metrics.md lists them all (test/unit/docs/metrics.test.ts
 * checks that it does).
 */
export const ELECTION_DROP_REASONS = [
  'vrid-mismatch',
  'own-advert',
  'invalid-priority',
  'invalid-interval',
  'invalid-term',
  'interval-mismatch',
  'term-beyond-max', // above MAX_TERM, the largest term a correct cluster reaches (terms.ts)
] as const;

export type ElectionDropReason = (typeof ELECTION_DROP_REASONS)[number];
