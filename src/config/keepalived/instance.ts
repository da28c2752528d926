/**
 * `vrrp_instance NAME { ... }` as a vipd group (keepalived.conf(5) "VRRP instance(s)";
 * docs/lan-mode.md: a vipd VRRP group shares a VRID with keepalived when VRID, version, advert
 * interval and VIPs are the same). Every imported group speaks standard VRRP
 * (`transport: multicast`), so it needs no certificates (src/config/trust.ts: a LAN-only node).
 *
 * | keepalived                  | vipd |
 * |-----------------------------|------|
 * | interface                   | interface |
 * | virtual_router_id           | vrid |
 * | priority (default 100; 255 with state MASTER) | priority |
 * | state MASTER/BACKUP         | nothing: vipd starts every group as Backup (a note says what that changes) |
 * | version, vrrp_version (default 2; IPv6: 3) | version, always written (vipd's default is 3) |
 * | advert_int (default 1)      | advert_interval, always written, rounded as keepalived rounds it (vrrp.c) |
 * | nopreempt, preempt_delay    | preempt: false, preempt_delay |
 * | authentication PASS (v2)    | auth_pass (first 8 bytes, as keepalived uses) |
 * | virtual_ipaddress           | vips (vips.ts) |
 * | track_* blocks              | track (tracks.ts) |
 * | notify_*                    | notify (notify.ts), or the aws provider (instance-aws.ts) |
 * | garp_master_*               | the local provider's garp_* (garp.ts) |
 * | unicast_peer                | not mapped: see unicastNote |
 */
import { interfaceNameProblem } from '../schema.js';
import type { Path } from '../findings.js';
import type { CheckRegistry } from './checks.js';
import { applyGarp, garpFields, isGarpKeyword, type GarpSettings, type Setting } from './garp.js';
import type { GroupDraft } from './group-draft.js';
import { applyAwsPattern } from './instance-aws.js';
import { readAuthentication } from './instance-auth.js';
import type { SourceRef } from './lexer.js';
import { HOOK_OF, readHook, relativeHookNotes, type Hook, type HookKind } from './notify.js';
import { statement, type KNode } from './parser.js';
import { Report } from './report.js';
import { isTrackBlock, readTrackBlock, type TrackOut } from './tracks.js';
import { unmappedReason } from './unmapped.js';
import { duration, integer, microseconds, roundTo, type Names } from './values.js';
import { readVipBlock, type VipEntry } from './vips.js';

export interface InstanceContext {
  readonly version?: Setting<2 | 3>;
  readonly garp: GarpSettings;
  readonly checks: CheckRegistry;
  readonly names: Names;
  /** The vrrp_sync_group listing this instance, if any. */
  readonly sync?: { readonly name: string; readonly trackingWeight: boolean };
  /** Where skipped instances are reported (no path: they are not in the output). */
  readonly report: Report;
}

/** keepalived's advert_int limits per version (vrrp.c vrrp_complete_instance). */
const V2_STEP_US = 1_000_000;
const V3_STEP_US = 10_000;

export function convertInstance(node: KNode, ctx: InstanceContext): GroupDraft | undefined {
  const source = node.args[0]?.text;
  if (source === undefined) {
    ctx.report.unmapped(node.at, 'vrrp_instance', 'has no name: not imported');
    return undefined;
  }
  const r = new Report();
  const last = new Map<string, KNode>();
  const vipBlocks: KNode[] = [];
  const excluded: KNode[] = [];
  const trackBlocks: KNode[] = [];
  const hookNodes: KNode[] = [];
  let garp = ctx.garp;
  for (const s of node.block ?? []) {
    if (s.name === 'virtual_ipaddress') vipBlocks.push(s);
    else if (s.name === 'virtual_ipaddress_excluded') excluded.push(s);
    else if (isTrackBlock(s.name)) trackBlocks.push(s);
    else if (Object.hasOwn(HOOK_OF, s.name)) hookNodes.push(s);
    else if (isGarpKeyword(s.name, 'vrrp_instance')) garp = applyGarp(garp, s, 'vrrp_instance', r);
    else if (SCALARS.has(s.name)) last.set(s.name, s);
    else if (s.name === 'preempt') continue;
    else if (s.name === 'native_ipv6') r.note(s.at, 'native_ipv6', 'no effect: the VIPs\' family decides, as in keepalived (where it is deprecated)');
    else r.unmapped(s.at, statement(s), unmappedReason('vrrp_instance', s.name));
  }
  const skip = (at: SourceRef, why: string): undefined => {
    ctx.report.absorb(r, undefined);
    ctx.report.unmapped(at, `vrrp_instance ${source}`, `${why}: not imported`);
    return undefined;
  };

  const vridNode = last.get('virtual_router_id');
  const vrid = integer(vridNode?.args[0]?.text);
  if (vrid === undefined || vrid < 1 || vrid > 255) return skip(vridNode?.at ?? node.at, vridNode ? 'virtual_router_id must be 1-255' : 'has no virtual_router_id');
  const ifNode = last.get('interface');
  const iface = ifNode?.args[0]?.text;
  if (iface === undefined) return skip(node.at, 'has no interface (vipd speaks VRRP on one; keepalived may omit it only with unicast peers)');
  const ifProblem = interfaceNameProblem(iface);
  if (ifProblem !== undefined) return skip((ifNode as KNode).at, `interface ${iface} is not a Linux interface name: ${ifProblem}`);

  const origins: [Path, SourceRef][] = [[['vrid'], (vridNode as KNode).at], [['interface'], (ifNode as KNode).at]];
  const comments: [Path, string][] = [];
  let vips = sameFamily(once(vipBlocks.flatMap((b) => readVipBlock(b, iface, r, ['vips'])), r), r);

  const version = versionOf(last.get('version'), ctx.version, vips, node.at, r);
  origins.push([['version'], last.get('version')?.at ?? ctx.version?.at ?? node.at]);
  const advertMs = advertOf(last.get('advert_int'), version, r);
  origins.push([['advert_interval'], last.get('advert_int')?.at ?? node.at]);
  const priority = priorityOf(last.get('priority'), last.get('state'), r);
  origins.push([['priority'], last.get('priority')?.at ?? last.get('state')?.at ?? node.at]);

  const nopreempt = last.get('nopreempt');
  if (nopreempt) origins.push([['preempt'], nopreempt.at]);
  let preemptDelayMs: number | undefined;
  const delayNode = last.get('preempt_delay');
  if (delayNode) {
    const us = microseconds(delayNode.args[0]?.text);
    if (us === undefined || us > 1000 * 1_000_000) r.unmapped(delayNode.at, statement(delayNode), 'must be 0-1000 seconds (keepalived\'s range)', ['preempt_delay']);
    else if (nopreempt) r.note(delayNode.at, statement(delayNode), 'no effect with nopreempt, in keepalived and in vipd: left out', ['preempt']);
    else if (us > 0) {
      preemptDelayMs = Math.round(us / 1000);
      origins.push([['preempt_delay'], delayNode.at]);
    }
  }

  const auth = last.get('authentication');
  const authPass = auth ? readAuthentication(auth, version, r) : undefined;
  if (authPass !== undefined && auth) origins.push([['auth_pass'], auth.at]);

  const hooks = new Map<HookKind, Hook>();
  for (const h of hookNodes) {
    const hook = readHook(h, r, ['notify']);
    if (!hook) continue;
    const earlier = hooks.get(hook.kind);
    if (earlier) r.note(h.at, h.name, `given again (first at ${earlier.at.file}:${earlier.at.line}); the last one is used, as in keepalived`, ['notify', hook.kind]);
    hooks.set(hook.kind, hook);
  }

  const local = localProvider(garp, vips, iface, r, origins);
  const aws = applyAwsPattern(hooks, vips, r);
  vips = aws.vips;
  const providers = aws.providers.length === 0 ? [local] : aws.keepLocal ? [local, ...aws.providers] : aws.providers;
  relativeHookNotes(hooks, r, ['notify']);
  if (vips.length === 0) return skip(vipBlocks[0]?.at ?? node.at, 'has no usable virtual_ipaddress (vipd needs at least one VIP: an advert carries 1 or more, RFC 5798 §5.2.5)');

  const restrict = ctx.sync && !ctx.sync.trackingWeight ? 'sync group' as const : priority === 255 ? 'address owner' as const : undefined;
  const tracks: TrackOut[] = [];
  for (const b of trackBlocks) readTrackBlock(b, { checks: ctx.checks, report: r, tracked: tracks, ...(restrict && { restrict }) });

  unicastNote(last.get('unicast_peer'), last.get('unicast_src_ip'), r, comments);
  excludedNote(excluded, r, comments);
  stateNote(last.get('state'), priority, r);

  const name = ctx.names.claim(source, 'group');
  if (name !== source) {
    const script = hooks.has('script') ? `; the notify script receives ${name} where keepalived passed ${source}` : '';
    r.note(node.at, `vrrp_instance ${source}`, `imported as group ${name} (vipd names: a-z, 0-9, "-")${script}`, ['name']);
  }
  return {
    source, name, at: node.at, vrid, interface: iface, priority, version, advertMs, preempt: nopreempt === undefined,
    ...(preemptDelayMs !== undefined && { preemptDelayMs }), vips, providers,
    ...(authPass !== undefined && { authPass }), tracks, hooks, origins, comments, report: r,
  };
}

/** Statements whose last occurrence counts. */
const SCALARS = new Set(['state', 'interface', 'virtual_router_id', 'priority', 'advert_int', 'version', 'nopreempt', 'preempt_delay', 'authentication', 'unicast_peer', 'unicast_src_ip']);

/** An address listed again (in another virtual_ipaddress block) is listed once. */
function once(vips: VipEntry[], r: Report): VipEntry[] {
  return vips.filter((v, i) => {
    const first = vips.findIndex((x) => x.vip.address === v.vip.address);
    if (first === i) return true;
    r.note(v.at, v.text, `lists ${v.vip.address} again (first at ${vips[first]?.at.file}:${vips[first]?.at.line}); vipd lists a VIP once`, ['vips']);
    return false;
  });
}

/** keepalived: every VIP of an instance is of one family (the instance's). */
function sameFamily(vips: VipEntry[], r: Report): VipEntry[] {
  const family = vips[0]?.vip.family;
  return vips.filter((v) => {
    if (v.vip.family === family) return true;
    r.unmapped(v.at, v.text, `IPv${v.vip.family} in an IPv${family ?? 4} instance: an advert carries one family (RFC 5798 §5.2.9); left out (give it a group of its own)`, ['vips']);
    return false;
  });
}

function versionOf(node: KNode | undefined, global: Setting<2 | 3> | undefined, vips: VipEntry[], at: SourceRef, r: Report): 2 | 3 {
  const v = integer(node?.args[0]?.text);
  if (node && v !== 2 && v !== 3) r.unmapped(node.at, statement(node), 'must be 2 or 3', ['version']);
  const asked = v === 2 || v === 3 ? v : global?.value;
  if (vips.some((x) => x.vip.family === 6)) {
    if (asked === 2) r.note(node?.at ?? global?.at ?? at, 'version 2', 'IPv6 instances use version 3, in keepalived too: written as version 3', ['version']);
    return 3;
  }
  if (asked === undefined) {
    r.note(at, 'vrrp_version (not set)', "keepalived's default is version 2 (vipd's is 3): written as version 2 so the adverts match keepalived's", ['version']);
    return 2;
  }
  return asked;
}

/** advert_int, rounded to what the version carries exactly as keepalived rounds it (vrrp.c). */
function advertOf(node: KNode | undefined, version: 2 | 3, r: Report): number {
  const step = version === 2 ? V2_STEP_US : V3_STEP_US;
  const [min, max] = version === 2 ? [1_000_000, 255_000_000] : [10_000, 40_950_000];
  let us = 1_000_000;
  if (node) {
    const given = microseconds(node.args[0]?.text);
    if (given === undefined || given === 0) r.unmapped(node.at, statement(node), 'must be a positive number of seconds; keepalived\'s default, 1s, is written', ['advert_interval']);
    else us = given;
  }
  const rounded = Math.min(max, Math.max(min, roundTo(us, step)));
  if (node && rounded !== us) {
    r.note(node.at, statement(node), `VRRPv${version} carries ${version === 2 ? 'whole seconds, 1-255 (RFC 3768 §5.3.7)' : 'centiseconds, 0.01-40.95 s (RFC 5798 §5.2.7)'}: written as ${duration(rounded / 1000)}, the value keepalived rounds it to`, ['advert_interval']);
  }
  return rounded / 1000;
}

function priorityOf(node: KNode | undefined, state: KNode | undefined, r: Report): number {
  if (node) {
    const p = integer(node.args[0]?.text);
    if (p !== undefined && p >= 1 && p <= 255) return p;
    r.unmapped(node.at, statement(node), 'must be 1-255; keepalived uses 100 then, and so does the import', ['priority']);
    return 100;
  }
  if (state?.args[0]?.text.toUpperCase() === 'MASTER') {
    r.note(state.at, 'state MASTER (no priority)', 'keepalived makes an instance with state MASTER and no priority the address owner, priority 255 (vrrp.c): written as priority 255', ['priority']);
    return 255;
  }
  return 100;
}

function stateNote(state: KNode | undefined, priority: number, r: Report): void {
  if (!state) return;
  const value = state.args[0]?.text.toUpperCase();
  if (value !== 'MASTER' && value !== 'BACKUP') {
    r.unmapped(state.at, statement(state), 'must be MASTER or BACKUP', ['priority']);
    return;
  }
  const how = priority === 255
    ? 'with priority 255 (address owner) it becomes Master at once, as keepalived does'
    : value === 'MASTER'
      ? 'keepalived starts such an instance as Backup too, only with a first Master_Down_Timer of one advert interval (vrrp_scheduler.c vrrp_init_state), so vipd takes over about two advert intervals later at start; the priority decides either way'
      : 'as keepalived does with state BACKUP';
  r.note(state.at, `state ${value}`, `vipd takes no start state: every group starts as Backup and the highest priority becomes Master after Master_Down_Interval (RFC 5798 §6.4.1, §6.4.2); ${how}`, ['priority']);
}

/** `{type: local}` with the garp settings and a label, when the VIPs agree on one. */
function localProvider(garp: GarpSettings, vips: VipEntry[], iface: string, r: Report, origins: [Path, SourceRef][]): Record<string, unknown> {
  const labels = [...new Set(vips.flatMap((v) => (v.label === undefined ? [] : [v.label])))];
  const out: Record<string, unknown> = { type: 'local' };
  const labelled = vips.find((v) => v.label !== undefined);
  if (labels.length === 1 && labelled) {
    const label = labels[0] as string;
    if (/^[^\s]{1,15}$/.test(label) && Buffer.byteLength(label) < 16) {
      out.label = label;
      origins.push([['provider', 'label'], labelled.at]);
      if (vips.some((v) => v.label === undefined)) r.note(labelled.at, `label ${label}`, `the local provider labels every IPv4 VIP of the group alike: all get ${label}`, ['vips']);
    } else r.unmapped(labelled.at, `label ${label}`, 'not a valid address label (1-15 bytes, no blanks)', ['vips']);
  } else if (labels.length > 1) {
    r.unmapped(labelled?.at ?? { file: '?', line: 0 }, `label ${labels.join(', ')}`, `the local provider gives every VIP of a group one label; these differ: the default (${iface}:vip when it fits) is used`, ['vips']);
  }
  const { fields, origins: o } = garpFields(garp);
  Object.assign(out, fields);
  for (const [field, at] of o) origins.push([['provider', field], at]);
  return out;
}

/**
 * keepalived's unicast VRRP (unicast_peer) is not wire-compatible with vipd, which speaks VRRP
 * by multicast only (docs/lan-mode.md). vipd's own unicast transport (gRPC, mutual TLS, signed
 * adverts, quorum) joins vipd nodes by node id, which a keepalived file does not have, and needs
 * certificates and keys that cannot be made up here. So the group is written as a multicast VRRP
 * group (it loads, and runs where the link carries multicast), and the note and a comment say
 * what to change for unicast between vipd nodes.
 */
function unicastNote(peers: KNode | undefined, src: KNode | undefined, r: Report, comments: [Path, string][]): void {
  if (src) r.unmapped(src.at, statement(src), unmappedReason('vrrp_instance', 'unicast_src_ip'), ['transport']);
  if (!peers) return;
  const addresses = (peers.block ?? []).map((p) => p.name);
  const shown = addresses.join(', ') || '(none)';
  r.unmapped(peers.at, `unicast_peer { ${shown} }`, `keepalived's unicast VRRP is not wire-compatible with vipd, which speaks VRRP by multicast only (224.0.0.18 / ff02::12): imported as a multicast VRRP group, which does not reach peers where multicast is blocked (AWS and most clouds); see the comment at transport`, ['transport']);
  comments.push(
    [['transport'], ` keepalived sent this VRID's adverts by unicast to ${shown}. To run it between vipd nodes by unicast`],
    [['transport'], ' instead (gRPC, mutual TLS, signed adverts): transport: unicast, peers: [the node ids of those hosts],'],
    [['transport'], ' and top-level tls: and auth: (docs/configuration.md "Security", vipd certs init/issue); with 2 nodes add'],
    [['transport'], ' a witness or set quorum: none. Until every peer runs vipd, keep keepalived on all of them.'],
  );
}

/** vipd advertises every VIP it holds; keepalived's excluded VIPs are held but not advertised. */
function excludedNote(blocks: KNode[], r: Report, comments: [Path, string][]): void {
  for (const b of blocks) {
    const addresses = (b.block ?? []).map((l) => l.name);
    if (addresses.length === 0) continue;
    r.unmapped(b.at, `virtual_ipaddress_excluded { ${addresses.join(' ')} }`, 'vipd advertises every VIP it holds, and keepalived nodes in the VRID would see a different address list: left out; add them to vips once no keepalived node is left, or give them a group of their own', ['vips']);
    comments.push([['vips'], ` excluded from the adverts in keepalived, not imported: ${addresses.join(', ')}`]);
  }
}
