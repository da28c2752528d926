/**
 * `authentication { auth_type PASS|AH  auth_pass P }` (keepalived.conf(5); RFC 2338 §5.3.6).
 * vipd matches keepalived's PASS for VRRPv2 on the LAN: `auth_pass`, sent in the advert and
 * required on receive (docs/lan-mode.md "What vipd checks on receive", reason `auth`).
 * keepalived uses only the first 8 characters (the 8 octets of Authentication Data,
 * RFC 2338 §5.3.11), so the import keeps those. PASS protects nothing (cleartext; RFC 3768
 * removed it): it is kept only so vipd and keepalived nodes accept each other's adverts.
 * AH has no vipd implementation, and VRRPv3 has no authentication at all (RFC 5798 §9).
 */
import type { KNode } from './parser.js';
import { statement } from './parser.js';
import type { Report } from './report.js';

const AUTH_PASS_BYTES = 8;

export function readAuthentication(block: KNode, version: 2 | 3, r: Report): string | undefined {
  let type: KNode | undefined;
  let pass: KNode | undefined;
  for (const s of block.block ?? []) {
    if (s.name === 'auth_type') type = s;
    else if (s.name === 'auth_pass') pass = s;
    else r.unmapped(s.at, statement(s), 'not an authentication option', ['auth_pass']);
  }
  const kind = type?.args[0]?.text.toUpperCase();
  if (type === undefined || kind === undefined) {
    r.unmapped(block.at, 'authentication', 'has no auth_type: keepalived sends no authentication then, nor does vipd');
    return undefined;
  }
  if (kind === 'AH') {
    r.unmapped(type.at, 'auth_type AH', 'vipd does not implement IPsec AH for VRRPv2 (RFC 2338 §5.3.6.2; RFC 3768 removed it) and drops AH adverts: a vipd node cannot share this VRID until the keepalived nodes stop using AH');
    return undefined;
  }
  if (kind !== 'PASS') {
    r.unmapped(type.at, statement(type), 'must be PASS or AH');
    return undefined;
  }
  if (version === 3) {
    r.unmapped(type.at, 'auth_type PASS', 'VRRPv3 has no authentication field (RFC 5798 §9); keepalived sends none with version 3 either');
    return undefined;
  }
  const password = pass?.args[0]?.text;
  if (pass === undefined || password === undefined || password === '') {
    r.unmapped(block.at, 'auth_type PASS', 'has no auth_pass');
    return undefined;
  }
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length <= AUTH_PASS_BYTES) return password;
  const cut = bytes.subarray(0, AUTH_PASS_BYTES).toString('utf8');
  if (Buffer.byteLength(cut) !== AUTH_PASS_BYTES) {
    r.unmapped(pass.at, 'auth_pass', `longer than ${AUTH_PASS_BYTES} bytes, and its first ${AUTH_PASS_BYTES} bytes end inside a character: write the 8 bytes keepalived sends as auth_pass`, ['auth_pass']);
    return undefined;
  }
  r.note(pass.at, 'auth_pass', `keepalived uses only the first ${AUTH_PASS_BYTES} characters (Authentication Data is ${AUTH_PASS_BYTES} octets, RFC 2338 §5.3.11): written as those`, ['auth_pass']);
  return cut;
}
