/**
 * The AWS notify-script pattern applied to a group (aws.ts says what maps to what): when the
 * notify_master hook (its script file, or its command line) moves an address with the EC2 API,
 * the group gets the aws provider instead, and the hook is dropped. notify_backup, notify_fault
 * and notify_stop hooks that only undo it (unassign / disassociate) are dropped too: the
 * provider releases on its own.
 *
 * Providers: secondary-ip binds the VIPs on the interface itself, so it replaces the local
 * provider; eip and route move only the cloud resource, so the local provider stays first when
 * keepalived bound virtual_ipaddress entries (keepalived did both: bind, then run the script).
 */
import { planAws, isMove, isRelease } from './aws.js';
import { hookCalls, type Hook, type HookKind } from './notify.js';
import type { Report } from './report.js';
import type { VipEntry } from './vips.js';
import { parseVip } from '../address.js';

export interface AwsApplied {
  readonly providers: Record<string, unknown>[];
  /** Keep the local provider before the aws ones. */
  readonly keepLocal: boolean;
  readonly vips: VipEntry[];
}

export function applyAwsPattern(hooks: Map<HookKind, Hook>, vips: VipEntry[], r: Report): AwsApplied {
  const none = { providers: [], keepLocal: true, vips };
  const master = hooks.get('master');
  const generic = hooks.get('script');
  if (generic) {
    const text = hookCalls(generic);
    if (text.scan.calls.some(isMove)) {
      r.note(generic.at, generic.keyword, `${text.source} calls aws ec2 (line ${text.scan.calls.find(isMove)?.line ?? '?'}), but a generic notify script runs on every state: not converted to the aws provider; move the calls to notify_master to have them converted`, ['notify', 'script']);
    }
  }
  if (!master) return none;
  const text = hookCalls(master);
  if (text.unreadable) r.note(master.at, 'notify_master', `could not read ${text.unreadable}: not checked for aws ec2 calls`, ['notify', 'master']);
  const moves = text.scan.calls.filter(isMove);
  if (moves.length === 0) return none;
  const plan = planAws(moves);
  for (const p of plan.problems) r.unmapped(master.at, `notify_master (${text.source})`, p, ['notify', 'master']);
  if (plan.providers.length === 0) return none;
  if (vips.some((v) => v.vip.family === 6) && (plan.modes.includes('secondary-ip') || plan.modes.includes('eip'))) {
    // providers/aws: secondary private addresses and Elastic IPs are IPv4; an IPv6 group cannot carry them.
    r.unmapped(master.at, `notify_master (${text.source})`, `calls aws ec2 for ${plan.modes.join(', ')}, which carry IPv4 only, but the instance's VIPs are IPv6: not converted, the hook stays`, ['notify', 'master']);
    return none;
  }

  let out = vips;
  const keepLocal = vips.length > 0 && !plan.modes.includes('secondary-ip');
  const addAddresses = (addresses: readonly string[], why: string) => {
    for (const a of addresses) {
      if (out.some((v) => v.vip.address === a)) continue;
      const parsed = parseVip(a);
      if (!parsed.ok) continue;
      out = [...out, { text: a, vip: parsed.vip, at: master.at }];
      r.note(master.at, `notify_master (${text.source})`, `${why}: ${a} added to vips`, ['vips']);
    }
  };
  if (plan.modes.includes('secondary-ip')) {
    addAddresses(plan.addresses.filter((a) => !a.includes(':')), 'the script assigns it as a secondary private address; mode secondary-ip moves the group\'s VIPs');
  } else if (vips.length === 0) {
    addAddresses(plan.addresses.slice(0, 1), 'the instance has no virtual_ipaddress, and vipd needs one VIP per group (it is in the adverts; eip and route modes do not bind it)');
  }
  // A call that could not be converted still has to run: then the hook stays (its converted
  // calls run twice, which EC2 takes as a no-op: AllowReassignment, AllowReassociation, ReplaceRoute).
  const keepHook = plan.problems.length > 0;
  if (!keepHook) hooks.delete('master');
  const modes = plan.modes.join(', ');
  const local = keepLocal ? '; the local provider stays first and binds the VIPs, as keepalived did before running the script' : '';
  const calls = moves.map((c) => (text.source === 'the command line' ? c.sub : `${c.sub} at line ${c.line}`)).join(', ');
  const hook = keepHook ? 'the hook stays, for the calls that could not be converted' : 'the hook was dropped';
  r.note(master.at, `notify_master (${text.source})`, `calls aws ec2 (${calls}): imported as the aws provider, mode ${modes}, and ${hook}${local}. On AWS, VRRP multicast does not cross the VPC: run this group as transport: unicast between vipd nodes (see the comment at transport)`, [plan.providers.length + (keepLocal ? 1 : 0) === 1 ? 'provider' : 'providers']);
  if (text.scan.others.length > 0 && !keepHook) {
    const first = text.scan.others[0];
    r.note(master.at, `notify_master (${text.source})`, `also runs ${text.scan.others.length} other command(s), e.g. line ${first?.line}: ${first?.text}; they no longer run: keep them in a notify.master hook if they matter`, ['notify']);
  }
  for (const kind of ['backup', 'fault', 'stop'] as const) {
    const hook = hooks.get(kind);
    if (!hook) continue;
    const undo = hookCalls(hook);
    if (undo.scan.calls.length > 0 && undo.scan.calls.every(isRelease) && undo.scan.others.length === 0) {
      hooks.delete(kind);
      r.note(hook.at, hook.keyword, `${undo.source} only undoes the takeover (aws ec2 ${undo.scan.calls.map((c) => c.sub).join(', ')}): dropped, the aws provider releases on its own`, ['notify']);
    }
  }
  return { providers: plan.providers, keepLocal, vips: out };
}
