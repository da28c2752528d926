/**
 * `virtual_ipaddress { ADDRESS[/MASK] [brd X] [dev X] [scope X] [label X] ... }` entries as a
 * group's `vips:` (keepalived.conf(5) "VRRP instance(s)"). vipd's local provider adds every
 * VIP of a group to the group's interface, marked, with scope global, IPv6 with nodad
 * (providers/local/README.md); options that ask for something else are reported.
 */
import { parseVip, vipAddressProblem } from '../address.js';
import type { VipConfig } from '../types.js';
import type { SourceRef } from './lexer.js';
import { statement, type KNode } from './parser.js';
import type { Report } from './report.js';

export interface VipEntry {
  /** As written in vips: the canonical address, and the prefix when keepalived's had one. */
  readonly text: string;
  readonly vip: VipConfig;
  readonly at: SourceRef;
  readonly label?: string;
}

const WITH_VALUE = new Set(['brd', 'broadcast', 'dev', 'scope', 'label', 'peer', 'preferred_lft', 'track_group', 'metric']);
const FLAGS: Record<string, string> = {
  home: 'Mobile IPv6 home address: the local provider adds a plain address',
  nodad: 'the local provider adds IPv6 VIPs with nodad always: nothing to set',
  '-nodad': 'the local provider adds IPv6 VIPs with nodad always: nothing to set',
  mngtmpaddr: 'the local provider adds a plain address (no temporary addresses are made from it)',
  noprefixroute: 'the local provider lets the kernel add the prefix route',
  autojoin: 'the local provider joins no multicast group for a VIP',
  no_track: 'vipd does not leave Master when a VIP is removed by someone else: it puts it back at its next refresh (garp_refresh)',
  use_vmac: 'vipd creates no virtual MAC interface',
};

/** The block's VIPs, in order, without duplicates; `iface` is the instance's interface. */
export function readVipBlock(block: KNode, iface: string | undefined, report: Report, path: (string | number)[]): VipEntry[] {
  const out: VipEntry[] = [];
  for (const line of block.block ?? []) {
    const entry = readEntry(line, iface, report, path);
    if (entry === undefined) continue;
    const twice = out.find((e) => e.vip.address === entry.vip.address);
    if (twice) {
      report.note(line.at, statement(line), `lists ${entry.vip.address} again (first at ${twice.at.file}:${twice.at.line}); vipd lists a VIP once`, path);
      continue;
    }
    out.push(entry);
  }
  return out;
}

function readEntry(line: KNode, iface: string | undefined, report: Report, path: (string | number)[]): VipEntry | undefined {
  const written = line.name;
  const address = withPrefixLength(written);
  const parsed = parseVip(address);
  if (!parsed.ok) {
    report.unmapped(line.at, statement(line), `not an address: ${parsed.reason}; left out`, path);
    return undefined;
  }
  const problem = vipAddressProblem(parsed.vip);
  if (problem !== undefined) {
    report.unmapped(line.at, statement(line), `${problem}; left out`, path);
    return undefined;
  }
  let label: string | undefined;
  const words = line.args.map((t) => t.text);
  for (let i = 0; i < words.length; i++) {
    const option = words[i] as string;
    if (WITH_VALUE.has(option)) {
      const value = words[i + 1];
      i++;
      if (value === undefined) {
        report.unmapped(line.at, `${written} ${option}`, 'has no value', path);
      } else if (option === 'dev') {
        if (iface !== undefined && value !== iface) {
          report.unmapped(line.at, `${written} dev ${value}`, `vipd binds every VIP of a group on the group's interface (${iface}): ${written} stays in the group (it is in the adverts), but it is bound on ${iface}, not ${value}; give it a group of its own on ${value} if that matters`, path);
        }
      } else if (option === 'label') {
        label = value;
      } else if (option === 'scope') {
        if (value !== 'global') report.unmapped(line.at, `${written} scope ${value}`, 'the local provider adds VIPs with scope global', path);
      } else if (option === 'brd' || option === 'broadcast') {
        report.unmapped(line.at, `${written} ${option} ${value}`, 'the local provider adds the address without a broadcast address, as `ip addr add` without brd does', path);
      } else if (option === 'peer') {
        report.unmapped(line.at, `${written} peer ${value}`, 'a point-to-point peer address: the local provider adds a plain address', path);
      } else {
        report.unmapped(line.at, `${written} ${option} ${value}`, 'the local provider adds a plain address (no lifetime, metric or track group of its own)', path);
      }
    } else if (Object.hasOwn(FLAGS, option)) {
      const reason = FLAGS[option] as string;
      if (reason.endsWith('nothing to set')) report.note(line.at, `${written} ${option}`, reason, path);
      else report.unmapped(line.at, `${written} ${option}`, reason, path);
    } else {
      report.unmapped(line.at, `${written} ${option}`, 'not a virtual_ipaddress option the importer knows', path);
    }
  }
  const { vip } = parsed;
  const hasPrefix = address.includes('/');
  return { text: hasPrefix ? `${vip.address}/${vip.prefixLength}` : vip.address, vip, at: line.at, ...(label !== undefined && { label }) };
}

/** `192.0.2.10/255.255.255.0` -> `192.0.2.10/24` (a contiguous netmask); anything else as it is. */
function withPrefixLength(text: string): string {
  const m = /^([^/]+)\/(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (!m) return text;
  const bits = (m[2] as string).split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  if (!/^1*0*$/.test(bits) || bits.length !== 32) return text;
  return `${m[1] as string}/${bits.indexOf('0') < 0 ? 32 : bits.indexOf('0')}`;
}
