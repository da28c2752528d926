/**
 * `transport: both` with `vrrp_peers: vipd` and real `vipd run` processes: every VRRP speaker of
 * the VRID is a vipd node of this cluster, so the group runs the unicast machinery (leases with
 * `quorum: majority`, crash verdict, handoff, terms; src/config/types.ts `electsAsUnicast`) while
 * its VRRP adverts still go out on the LAN beside gRPC, and a peer's VRRP adverts are attributed
 * to its node id and latest gRPC term (src/runtime/vrrp-identities.ts). The topology and glue are
 * those of test/netns/both-transport.test.ts scenario 1 (bench/lab.ts's namespaces, its UDP echo
 * on a and b and its client asking the VIP every 10 ms; members a (priority 150) and b (100) and a
 * witness w, VRRPv3, VRID 51, 100 ms adverts, the local provider), the group with
 * `vrrp_peers: vipd` added.
 *
 * 1. They elect a; tcpdump on b's link (when installed) shows a's VRRPv3 adverts and none from b.
 * 2. SIGKILL of a: b takes over on the election's crash verdict (docs/leases.md "Crash verdict":
 *    `BACKUP -> MASTER (crash-verdict: master a… gone …)`), not on Master_Down_Interval nor
 *    `probe-confirmed` as a `vrrp_peers: any` group does. The killed agent's leftover address is
 *    deleted by the test as soon as the process is gone, as `ExecStopPost=vipd cleanup` would
 *    (docs/lan-mode.md "After a crash").
 * 3. a, restarted more than CLAIM_TTL_MS (10 s) after the kill so that b knows a's address only
 *    from a's Hello (vrrp-identities.ts), preempts b through a handoff (docs/leases.md "Handoff": "in a leased group, is
 *    preempted by a higher-ranked master, hands the group to a named successor"): a becomes
 *    Master by RFC 5798 preemption (`BACKUP -> MASTER (preempt: …)`, src/core/election/step.ts
 *    roleChangeReason; "a master M hands off to (it preempted M) advertises at once", logging
 *    `handoff: b hands the group to us` when the Handoff reaches it), b, the leased master
 *    hearing a higher-ranked one, logs `handing off to a …` and steps down with
 *    `MASTER -> BACKUP (handoff: …)`; a binds the VIP only after b's Handoff.
 * 4. SIGTERM of the master a: it hands off to b (`BACKUP -> MASTER (handoff: master a… handed the
 *    group over at term N)`), a exits 0 and b holds the VIP.
 * The old master's step-down may end the handoff in any of the three ways of docs/leases.md
 * "Handoff" step 5 (the successor's HandoffDone, its own lease's end, the bound H − R); a
 * diagnostic says which, and the holders' check holds it to the bound either way.
 *
 * Never two holders, checked by reading both namespaces' addresses every ~10 ms
 * (test/netns/lib/holders.ts), with exactly two documented exceptions, each matched to its cause
 * and reported with its length: the handoff overlap between a master that logged `handing off to
 * S` and S, only within handoff_overlap_max / (1 − RHO) of that line (docs/leases.md "The bound",
 * without a freeze), and the address a SIGKILLed agent leaves bound until the test deletes it.
 * And by the client: no request answered by both.
 *
 * No assertion on how fast anything happens: order and reasons only, every wait bounded. Root and
 * iproute2 (tcpdump optional); skipped with the reason otherwise. The namespaces, the bridge and
 * every agent are removed in `after`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Agent, parseVipdRole, prepareUnicast, SETTINGS, vipdUnicastConf, type HaName } from '../../bench/impls.js';
import { Lab, VIP, VIP_PREFIX } from '../../bench/lab.js';
import { nowMs, sleep } from '../../bench/proc.js';
import { ROOT, TSX_IMPORT } from '../../bench/vipd-build.js';
import { DEFAULT_HANDOFF_OVERLAP_MAX_MS } from '../../src/core/election/handoff.js';
import { RHO } from '../../src/core/election/lease.js';
import { CLAIM_TTL_MS } from '../../src/runtime/vrrp-identities.js';
import { entries, overlapRuns, until, type Entry } from './lib/agent-log.js';
import { AddrReader, HolderSampler, type HolderSample } from './lib/holders.js';
import { exec, locateTool, missingTools, netnsSkipReason } from './lib/index.js';

const VIPD_ARGV = [process.execPath, '--import', TSX_IMPORT, join(ROOT, 'src', 'cli', 'vipd.ts')];
const SETTING = SETTINGS['100ms'];
/** Every wait of the test is at most this long. */
const WAIT_MS = 20_000;
/** The first steady state includes starting several Node programs under tsx on a busy machine. */
const FIRST_STEADY_MS = 60_000;
const LIFETIME_MS = 300_000;
/** Slack between pino's `time` (whole ms) and the sampler's monotonic clock. */
const SLACK_MS = 5;
const A_IP = '192.0.2.11';
/**
 * docs/leases.md "The bound": after its Handoff the old master has released within
 * H / (1 − RHO) (no freeze of the master here); H is handoff_overlap_max, left at its default.
 */
const HANDOFF_BOUND_MS = DEFAULT_HANDOFF_OVERLAP_MAX_MS / (1 - RHO);
/** A node named by id, with or without its address: `a(192.0.2.11)` or `a`. */
const A_NAME = String.raw`a(?:\(192\.0\.2\.11\))?`;
const B_NAME = String.raw`b(?:\(192\.0\.2\.12\))?`;

/** Why two holders were seen: a handoff's overlap or a killed agent's leftover. */
interface Excuse {
  readonly kind: 'handoff' | 'leftover';
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/**
 * The handoffs among `events`: each `handing off to S` line of a member excuses two holders (that
 * member and S, the only other member here) from that line until HANDOFF_BOUND_MS after it.
 */
function handoffExcuses(events: readonly Entry[]): Excuse[] {
  return events.flatMap((e) => {
    const m = /^handing off to (\S+) at term \d+/.exec(e.msg);
    if (!m || !['a', 'b'].includes(e.node) || m[1] === e.node || !['a', 'b'].includes(m[1] as string)) return [];
    return [{ kind: 'handoff' as const, from: e.at - SLACK_MS, to: e.at + HANDOFF_BOUND_MS + SLACK_MS, text: `${e.node} -> ${m[1]}: ${e.msg}` }];
  });
}

/**
 * Two holders only inside an excuse; each run reported with its length (first to last sample,
 * and the widest bound from the sample before to the sample after).
 */
function checkHolders(t: TestContext, label: string, samples: readonly HolderSample[], excuses: readonly Excuse[], detail: () => string): void {
  const unexplained: string[] = [];
  for (const run of overlapRuns(samples)) {
    const first = run[0] as HolderSample;
    const last = run[run.length - 1] as HolderSample;
    const ex = excuses.find((e) => first.to >= e.from && last.from <= e.to);
    const i = samples.indexOf(first);
    const before = samples[i - 1];
    const afterS = samples[i + run.length];
    const since = ex ? `, from +${Math.round(first.from - ex.from - SLACK_MS)} ms after its cause` : '';
    const at = `${run.length} sample(s), ${Math.round(last.to - first.from)} ms from first to last (at most ${Math.round((afterS?.from ?? last.to) - (before?.to ?? first.from))} ms)${since}`;
    t.diagnostic(`${label}: a and b both carried ${VIP}: ${at}: ${ex ? `${ex.kind}: ${ex.text}` : 'UNEXPLAINED'}`);
    if (!ex) unexplained.push(at);
  }
  if (overlapRuns(samples).length === 0) t.diagnostic(`${label}: never two holders in ${samples.length} samples`);
  assert.deepEqual(unexplained, [], `${label}: a and b both carried ${VIP} outside a handoff's bound (${Math.round(HANDOFF_BOUND_MS)} ms) or a killed agent's leftover\n${detail()}`);
}

/** The client: requests sent in [from, to] answered by more than one node. */
function answeredTwice(lab: Lab, from: number, to: number): string[] {
  return lab.probes.slice(from, to).filter((p) => new Set(p.answers.map((x) => x.node)).size > 1)
    .map((p) => `#${p.seq} at +${Math.round(p.sentAt - from)} ms: ${p.answers.map((x) => x.node).join('+')}`);
}

/** vipdUnicastConf's node (a witness as it is), the group made `transport: both`, VRRPv3, `vrrp_peers: vipd`. */
function bothVipdConf(lab: Lab, node: HaName | 'w', members: readonly HaName[]): string {
  const conf = vipdUnicastConf({ lab, setting: SETTING, groups: 1, pki: lab.dir }, node, members, true);
  if (node === 'w') return conf;
  const out = conf.replace(/^( {4}vrid: \d+)$/m, `$1\n    transport: both\n    vrrp_peers: vipd\n    version: ${SETTING.version}`);
  assert.notEqual(out, conf, 'the group has a vrid line to put transport: both after');
  return out;
}

const skip = (await netnsSkipReason()) ?? (await missingTools(['ip'])) ?? false;

describe('transport both, vrrp_peers: vipd: VRRP beside gRPC with leases, crash verdict and handoff', { skip }, () => {
  let lab: Lab | undefined;
  const readers = new Map<string, AddrReader>();
  /** The vipd agent now running on each node. */
  const current = new Map<string, Agent>();
  /** Every vipd agent started, for logs and cleanup. */
  const started: Agent[] = [];
  const files = new Map<string, string>();

  before(async () => {
    lab = await Lab.create({ label: 'bothv', witness: true, lifetimeMs: LIFETIME_MS, keepLogMs: LIFETIME_MS });
    await lab.startService();
    await prepareUnicast(lab, lab.dir);
    for (const n of ['a', 'b'] as const) readers.set(n, new AddrReader(lab.host(n).ns, lab.host(n).ifname));
    for (const n of ['w', 'a', 'b'] as const) {
      const file = join(lab.dir, `both-vipd-${n}.yaml`);
      await writeFile(file, bothVipdConf(lab, n, ['a', 'b']));
      files.set(n, file);
    }
  }, { timeout: 150_000 });

  after(async () => {
    for (const r of readers.values()) r.close();
    await Promise.all(started.map((a) => a.kill()));
    await lab?.destroy();
  }, { timeout: 60_000 });

  const L = (): Lab => {
    if (!lab) throw new Error('lab not started');
    return lab;
  };
  const agent = (node: string): Agent => {
    const a = current.get(node);
    if (!a) throw new Error(`no vipd on ${node}`);
    return a;
  };
  function startVipd(node: string): Agent {
    const file = files.get(node);
    if (!file) throw new Error(`no configuration for ${node}`);
    const a = new Agent(node, L().host(node).ns, [...VIPD_ARGV, 'run', '-c', file], LIFETIME_MS, parseVipdRole);
    current.set(node, a);
    started.push(a);
    return a;
  }
  /** Every line of every vipd since `since`, in the order the test read them. */
  const log = (since = 0): Entry[] => started.map((a) => entries(a)).flat().filter((e) => e.t >= since).sort((x, y) => x.t - y.t);
  const detail = (since = 0) => () => log(since).slice(-80).map((e) => `  ${e.node}: ${e.msg}`).join('\n');
  const interesting = /-> [A-Z]+ \(|priority 0|removed|added|quorum|startup-hold|verdict|handing|handoff|lease granted|vrrp_peers|warn|only voter|error/i;
  function report(t: TestContext, since: number, label: string): void {
    t.diagnostic(`${label}: log since the phase began:`);
    for (const e of log(since).filter((x) => interesting.test(x.msg)).slice(0, 60)) t.diagnostic(`  +${Math.round(e.at - since)} ms ${e.node}: ${e.msg}`);
  }
  /** VRRP adverts a vipd node could not attribute to a peer (vrrp-identities.ts): reported, they would mean vrrp_peers: vipd is not in effect. */
  function unattributed(t: TestContext, since: number, label: string): void {
    const lines = log(since).filter((e) => /\(vrrp_peers: vipd\): VRRP advert from/.test(e.msg));
    t.diagnostic(`${label}: ${lines.length} warning(s) about unattributed VRRP adverts`);
    for (const e of lines.slice(0, 5)) t.diagnostic(`  ${e.node}: ${e.msg}`);
  }
  /** The VIP on `node` alone (sampled after `since`), steady at the client for `ms`. */
  const alone = (s: HolderSampler, node: string, since: number, ms: number) => {
    const last = s.last();
    return last !== undefined && last.from > since && last.holders.length === 1 && last.holders[0] === node && L().probes.steadyOn(node, ms);
  };
  const vipdRole = (node: string) => agent(node).role();
  /** SIGKILL (a crash: nothing of vipd reacts), then the leftover address deleted as `vipd cleanup` would. */
  async function crash(node: string): Promise<Excuse> {
    const a = agent(node);
    const h = L().host(node);
    const from = nowMs();
    a.crash(await a.pids());
    assert.ok(await a.proc.waitExit(5_000), `vipd on ${node} did not exit after SIGKILL`);
    const left = await readers.get(node)?.has(VIP);
    await exec(['ip', '-n', h.ns, 'addr', 'del', `${VIP}/${VIP_PREFIX}`, 'dev', h.ifname], { check: false, timeoutMs: 5_000 });
    const to = nowMs();
    return { kind: 'leftover', from, to, text: `${node} SIGKILLed at +0, its leftover ${left ? 'deleted' : 'was not there'} at +${Math.round(to - from)} ms` };
  }
  /** The handoff pair's overlap by the agents' own clocks: the successor's bind to the old master's release. */
  function clockOverlap(t: TestContext, label: string, events: readonly Entry[], from: string, to: string): void {
    const added = events.find((e) => e.node === to && e.msg.startsWith(`added ${VIP}/`));
    const removed = events.find((e) => e.node === from && e.msg.startsWith(`removed ${VIP}/`));
    assert.ok(added, `${to} bound the VIP`);
    assert.ok(removed, `${from} released the VIP`);
    const d = removed.at - added.at;
    t.diagnostic(`${label} by the agents' clocks: ${to} bound, ${from} released ${Math.round(d)} ms ${d >= 0 ? 'later (make-before-break overlap)' : 'earlier (break-before-make)'}`);
  }

  it('a (150), b (100) and a witness, transport both with vrrp_peers vipd: a is elected, one holder; a sends VRRPv3 adverts beside gRPC', { timeout: FIRST_STEADY_MS + 2 * WAIT_MS }, async (t) => {
    const lab = L();
    const sampler = new HolderSampler(readers, VIP, 10, FIRST_STEADY_MS + WAIT_MS);
    const t0 = nowMs();
    try {
      startVipd('w');
      startVipd('a');
      startVipd('b');
      await until(() => vipdRole('a') === 'MASTER' && vipdRole('b') === 'BACKUP' && alone(sampler, 'a', t0, 1_000), FIRST_STEADY_MS,
        'a master with the VIP alone, b backup, the client answered by a', detail());
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    report(t, t0, 'start');
    const events = log(t0);
    checkHolders(t, 'start', sampler.samples, handoffExcuses(events), detail(t0));
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    const aTake = agent('a').changes.find((c) => c.to === 'MASTER');
    assert.ok(aTake, 'a logged its takeover');
    t.diagnostic(`a's takeover: ${aTake.text}`);
    const aLease = events.find((e) => e.node === 'a' && /^lease granted by \d+ of 3 voters/.test(e.msg));
    assert.ok(aLease, `a took the VIP on a lease (quorum majority: vrrp_peers vipd runs leases)\n${detail(t0)()}`);
    t.diagnostic(`a's lease: ${aLease.msg}`);

    // The wire: on b's link, a's VRRPv3 adverts (RFC 5798 §5.1.1.3 TTL 255, §5.2.1 version 3)
    // and its gRPC traffic (TCP 7946); b, a Backup, sends no advert (RFC 5798 §6.4.2).
    if (!(await locateTool('tcpdump')) || !(await locateTool('timeout'))) {
      t.diagnostic('tcpdump (or coreutils timeout) not installed: the wire check is skipped');
      return;
    }
    const hb = lab.host('b');
    const cap = await exec(['ip', 'netns', 'exec', hb.ns, 'timeout', '-s', 'INT', '1.5', 'tcpdump', '-l', '-n', '-v', '-i', hb.ifname,
      `ip proto 112 or (tcp port 7946 and src host ${A_IP})`], { check: false, timeoutMs: 10_000 });
    const text = cap.stdout;
    const count = (re: RegExp) => (text.match(re) ?? []).length;
    const vrrpAll = count(/proto VRRP \(112\)/g);
    // tcpdump -v: the IP header on one line, the VRRP fields on the next.
    const vrrpA = count(/tos 0xc0, ttl 255, [^\n]*proto VRRP \(112\)[^\n]*\n\s*192\.0\.2\.11 > 224\.0\.0\.18: VRRPv3, Advertisement, vrid 51, prio 150, intvl 10cs, length \d+, addrs: 192\.0\.2\.50\b/g);
    const vrrpB = count(/\n\s*192\.0\.2\.12 > 224\.0\.0\.18: VRRP/g);
    const grpc = count(/\n\s*192\.0\.2\.11\.\d+ > 192\.0\.2\.12\.\d+: Flags/g);
    t.diagnostic(`tcpdump on b for 1.5 s: ${vrrpAll} VRRP packets, ${vrrpA} of them VRRPv3 adverts from a (TOS 0xc0, TTL 255, vrid 51, prio 150, intvl 10cs, ${VIP}), ${vrrpB} from b; ${grpc} TCP segments from a to b on the gRPC connections (port 7946)`);
    for (const l of text.split('\n').filter((x) => /VRRP/.test(x)).slice(0, 2)) t.diagnostic(`  ${l.trim()}`);
    assert.ok(vrrpA >= 3, `a's VRRPv3 adverts on b's link\n${text.slice(0, 3000)}\n${cap.stderr}`);
    assert.equal(vrrpB, 0, 'b, a Backup, sent no VRRP advert');
    assert.equal(vrrpA, vrrpAll, 'every VRRP packet on the link is one of a\'s adverts, TTL 255');
    assert.ok(grpc >= 1, "a's gRPC side talks to b");
    unattributed(t, t0, 'start');
  });

  it('SIGKILL of a: b takes over on the crash verdict; two holders only while a\'s leftover is bound', { timeout: 3 * WAIT_MS }, async (t) => {
    const lab = L();
    const sampler = new HolderSampler(readers, VIP, 10, 2 * WAIT_MS);
    const t0 = nowMs();
    let leftover: Excuse | undefined;
    try {
      await until(() => alone(sampler, 'a', t0, 500), WAIT_MS, 'a alone with the VIP', detail());
      leftover = await crash('a');
      await until(() => vipdRole('b') === 'MASTER' && alone(sampler, 'b', leftover?.to ?? 0, 500), WAIT_MS,
        'b master with the VIP alone, the client answered by b', detail(t0));
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    assert.ok(leftover);
    t.diagnostic(leftover.text);
    report(t, leftover.from, 'SIGKILL a');
    const events = log(t0);
    const bTake = events.find((e) => e.node === 'b' && /^BACKUP -> MASTER \(/.test(e.msg));
    assert.ok(bTake, `b logged no takeover\n${detail(t0)()}`);
    t.diagnostic(`b's takeover after the SIGKILL at +${Math.round(bTake.at - leftover.from)} ms: ${bTake.msg}`);
    const verdicts = events.filter((e) => /^crash verdict: a is gone/.test(e.msg));
    for (const e of verdicts) t.diagnostic(`  ${e.node} at +${Math.round(e.at - leftover.from)} ms: ${e.msg}`);
    // vrrp_peers: vipd runs the unicast crash path: not Master_Down_Interval, not probe-confirmed.
    assert.doesNotMatch(bTake.msg, /master down|probe-confirmed|no master seen/, `b took over on the RFC timers, not on the crash verdict\n${detail(t0)()}`);
    assert.match(bTake.msg, new RegExp(String.raw`^BACKUP -> MASTER \(crash-verdict: master ${A_NAME} gone`), `b's takeover reason\n${detail(t0)()}`);
    assert.ok(verdicts.some((e) => e.node === 'b'), 'b reached its own crash verdict about a');
    const bAdded = events.find((e) => e.node === 'b' && e.msg.startsWith(`added ${VIP}/`) && e.at >= bTake.at - SLACK_MS);
    assert.ok(bAdded, 'b bound the VIP after its takeover');
    const bLease = events.find((e) => e.node === 'b' && /^lease granted by \d+ of 3 voters/.test(e.msg) && e.at >= bTake.at - SLACK_MS);
    assert.ok(bLease && bLease.at <= bAdded.at + SLACK_MS, `b bound the VIP on its lease\n${detail(t0)()}`);
    t.diagnostic(`b: ${bLease.msg}; ${bAdded.msg}`);
    if (bAdded.at < leftover.to) t.diagnostic(`b bound the VIP ${Math.round(leftover.to - bAdded.at)} ms before the test deleted a's leftover`);

    checkHolders(t, 'SIGKILL a', sampler.samples, [leftover, ...handoffExcuses(events)], detail(t0));
    assert.ok(sampler.samples.some((s) => s.from > leftover.to && s.holders.join() === 'b'), 'the window saw b holding alone');
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    unattributed(t, t0, 'SIGKILL a');
  });

  it('a restarted more than CLAIM_TTL_MS later preempts b through a handoff: b hands off to a; two holders only within the handoff bound', { timeout: 3 * WAIT_MS + CLAIM_TTL_MS }, async (t) => {
    const lab = L();
    const sampler = new HolderSampler(readers, VIP, 10, 2 * WAIT_MS + CLAIM_TTL_MS);
    const t0 = nowMs();
    try {
      await until(() => vipdRole('b') === 'MASTER' && alone(sampler, 'b', t0, 500), WAIT_MS, 'b alone with the VIP', detail());
      // Come back later than CLAIM_TTL_MS: b's claim "192.0.2.11 is a" then rests on a's Hello
      // alone (src/runtime/vrrp-identities.ts). Before the Hello counted, b handed off to the
      // address `192.0.2.11`, a name that is no node, and the VIP was on no node for ~0.5 s.
      await sleep(CLAIM_TTL_MS + 1000);
      startVipd('a');
      await until(() => vipdRole('a') === 'MASTER' && vipdRole('b') === 'BACKUP' && alone(sampler, 'a', t0, 500), WAIT_MS,
        'the restarted a master with the VIP alone, b backup', detail(t0));
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    report(t, t0, 'restart a');
    const events = log(t0);
    const aTakes = events.filter((e) => e.node === 'a' && /-> MASTER \(/.test(e.msg));
    const bDowns = events.filter((e) => e.node === 'b' && /^MASTER -> /.test(e.msg));
    for (const e of [...aTakes, ...bDowns]) t.diagnostic(`${e.node}: ${e.msg}`);
    assert.equal(aTakes.length, 1, `the restarted a became master once\n${detail(t0)()}`);
    assert.equal(bDowns.length, 1, `b stepped down once\n${detail(t0)()}`);
    const aTake = aTakes[0] as Entry;
    const bDown = bDowns[0] as Entry;
    // a becomes Master by RFC 5798 preemption (its Master_Down_Timer, b's lower adverts
    // discarded); it is b, the leased master, that hands off (docs/leases.md "Handoff"). A node
    // just started may know b only by its VRRP source address until b's first gRPC advert
    // reaches it (vrrp-identities.ts: "a peer heard on the LAN before its first gRPC advert is
    // normal at start"), so the reason names `b(192.0.2.12)` or `192.0.2.12`.
    assert.match(aTake.msg, new RegExp(String.raw`^BACKUP -> MASTER \(preempt: priority 150 > 100 of master (${B_NAME}|192\.0\.2\.12)\)`), `a's takeover reason\n${detail(t0)()}`);
    t.diagnostic(`a named b by ${/master b\(/.test(aTake.msg) ? "node id (it had heard b's gRPC adverts)" : "address only (no gRPC advert of b had reached it yet)"}`);
    const handing = events.find((e) => e.node === 'b' && /^handing off to a at term \d+/.test(e.msg));
    assert.ok(handing, `b did not hand off to a\n${detail(t0)()}`);
    t.diagnostic(`b at +${Math.round(handing.at - aTake.at)} ms after a's takeover: ${handing.msg}`);
    assert.match(handing.msg, new RegExp(String.raw`^handing off to a at term \d+ \(higher-ranked master ${A_NAME} \(priority 150, term \d+\)\): releasing when it confirms`));
    assert.ok(handing.at >= aTake.at - SLACK_MS, 'b handed off after a became master');
    // docs/leases.md "Handoff" step 5: the old master releases on the successor's HandoffDone,
    // when its lease ends, or at the latest H − R after its Handoff: each is a handoff's end.
    assert.match(bDown.msg, /^MASTER -> BACKUP \(handoff: (a confirmed it holds the VIP|lease expired before a confirmed|a did not confirm in time, releasing)\)/, `b's step-down reason\n${detail(t0)()}`);
    if (!/confirmed it holds/.test(bDown.msg)) t.diagnostic(`NOTE: b released without a's HandoffDone (${bDown.msg}): the overlap ran to the bound`);
    const accepted = events.find((e) => e.node === 'a' && /^handoff: b hands the group to us/.test(e.msg));
    t.diagnostic(`a: ${accepted?.msg ?? '(no "handoff: b hands the group to us" line: its lease held before the Handoff reached it)'}`);
    const aAdded = events.find((e) => e.node === 'a' && e.msg.startsWith(`added ${VIP}/`));
    assert.ok(aAdded && aAdded.at >= handing.at - SLACK_MS, `a bound the VIP only after b's Handoff\n${detail(t0)()}`);
    clockOverlap(t, 'preemption handoff b -> a', events, 'b', 'a');

    checkHolders(t, 'restart a', sampler.samples, handoffExcuses(events), detail(t0));
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    unattributed(t, t0, 'restart a');
  });

  it('SIGTERM of the master a: it hands off to b, exits 0; two holders only within the handoff bound', { timeout: 3 * WAIT_MS }, async (t) => {
    const lab = L();
    const sampler = new HolderSampler(readers, VIP, 10, 2 * WAIT_MS);
    const t0 = nowMs();
    let termAt = 0;
    try {
      await until(() => vipdRole('a') === 'MASTER' && alone(sampler, 'a', t0, 500), WAIT_MS, 'a alone with the VIP', detail());
      termAt = nowMs();
      agent('a').terminate();
      assert.ok(await agent('a').proc.waitExit(WAIT_MS), 'a exited after SIGTERM');
      await until(() => vipdRole('b') === 'MASTER' && alone(sampler, 'b', termAt, 500), WAIT_MS, 'b master with the VIP alone', detail(termAt));
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    report(t, termAt, 'SIGTERM a');
    const exit = await agent('a').proc.exited;
    t.diagnostic(`a exited with code ${exit.code} signal ${exit.signal}`);
    assert.equal(exit.code, 0, 'a stopped cleanly');
    const events = log(termAt);
    const handing = events.find((e) => e.node === 'a' && /^handing off to b at term \d+/.test(e.msg));
    assert.ok(handing, `a did not hand off to b\n${detail(termAt)()}`);
    t.diagnostic(`a: ${handing.msg}`);
    const bTake = events.find((e) => e.node === 'b' && /^BACKUP -> MASTER \(/.test(e.msg));
    assert.ok(bTake, `b logged no takeover\n${detail(termAt)()}`);
    t.diagnostic(`b's takeover after the SIGTERM: ${bTake.msg}`);
    assert.match(bTake.msg, new RegExp(String.raw`^BACKUP -> MASTER \(handoff: master ${A_NAME} handed the group over at term \d+\)`), `b's takeover reason\n${detail(termAt)()}`);
    const aDown = events.find((e) => e.node === 'a' && /^MASTER -> /.test(e.msg));
    assert.ok(aDown, 'a stepped down');
    t.diagnostic(`a: ${aDown.msg}`);
    assert.match(aDown.msg, /^MASTER -> BACKUP \(handoff: (b confirmed it holds the VIP|lease expired before b confirmed|b did not confirm in time, releasing)\)/, `a's step-down reason\n${detail(termAt)()}`);
    if (!/confirmed it holds/.test(aDown.msg)) t.diagnostic(`NOTE: a released without b's HandoffDone (${aDown.msg}): the overlap ran to the bound`);
    clockOverlap(t, 'SIGTERM handoff a -> b', events, 'a', 'b');

    checkHolders(t, 'SIGTERM a', sampler.samples, handoffExcuses(events), detail(termAt));
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    unattributed(t, termAt, 'SIGTERM a');
  });
});
