/**
 * What `vipd certs` accepts, without the certificate library: the command line checks its
 * arguments with these, and src/security/certs.ts (which loads @peculiar/x509) is imported only
 * when a certificate is made, so `vipd run` never loads it.
 */
import { isIP } from 'node:net';

export const CA_CERT_FILE = 'ca.crt';
export const DEFAULT_NODE_DAYS = 365;
export const MAX_NODE_DAYS = 3650;

export type SanEntry = { type: 'dns' | 'ip'; value: string };

/** A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123), ≤ 253. */
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** Classifies an extra SAN as IP or DNS; a reason when it is neither. */
export function parseSan(name: string): { ok: true; san: SanEntry } | { ok: false; reason: string } {
  if (isIP(name) !== 0) return { ok: true, san: { type: 'ip', value: name } };
  const lower = name.toLowerCase();
  if (DNS_NAME.test(lower)) return { ok: true, san: { type: 'dns', value: lower } };
  return { ok: false, reason: `SAN ${JSON.stringify(name)} is neither an IP address nor a DNS name` };
}

