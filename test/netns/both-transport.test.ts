/**
 * `transport: both` with real `vipd run` processes (docs/configuration.md "Groups: transport,
 * peers, witnesses and quorum": VRRP and gRPC side by side; docs/lan-mode.md: "`transport:
 * both` sends the VRRP adverts beside the unicast gRPC ones"), in bench/lab.ts's namespaces
 * with its UDP echo on a and b and its client asking the VIP every 10 ms.
 *
 * 1. Members a (priority 150) and b (100) and a witness w, the group `transport: both` (VRRPv3
 *    on the lab interface, VRID 51, 100 ms adverts, plus gRPC + mTLS to the peer and the witness,
 *    `quorum: majority`, the default for both), the local provider. They elect a; tcpdump on b's
 *    link shows a's VRRPv3 adverts (224.0.0.18, TTL 255, RFC 5798 §5.1.1.3, §5.2) beside its
 *    gRPC traffic and none from b (a Backup does not advertise, RFC 5798 §6.4.2). SIGKILL of a:
 *    b takes over, not by the election's crash verdict (docs/leases.md: a VRRP group has no
 *    lease, no crash-verdict takeover and no handoff, "Crash verdict" and "What a handoff does
 *    not cover") but on Master_Down_Interval or, once membership confirms a down,
 *    `probe-confirmed` 3 × Skew_Time later (src/core/election/step.ts CONFIRMED_SKEW_FACTOR);
 *    its `BACKUP -> MASTER (...)` line says which. A restarted a preempts (RFC 5798 §6.4.2: a Backup
 *    with Preempt_Mode discards a lower-priority advert, so Master_Down_Timer fires; §6.4.3: the
 *    old Master that hears a higher priority goes Backup). SIGTERM of the master: it resigns
 *    with priority 0 (RFC 5798 §6.4.3 "Shutdown"), the other takes over after Skew_Time.
 * 2. Mixed: Debian's keepalived 2.2.7 on b (VRID 51, VRRPv3, advert_int 0.1, priority 100, the
 *    bench's keepalivedConf) and vipd `transport: both` on a (150) whose unicast side has no peer:
 *    `peers: []`, no witness, no seeds, `quorum: majority` accepted with the warning "this node
 *    is its only voter" (src/config/group.ts; nothing else is required). They elect a, SIGKILL of
 *    a hands the VIP to keepalived, a restarted a preempts it.
 *
 * Never two holders, checked by reading both namespaces' addresses every ~10 ms
 * (test/netns/lib/holders.ts), with exactly two documented exceptions, each matched to its
 * cause and reported with its length: the RFC 5798 preemption moment (the preemptor binds when
 * it becomes Master, the preempted Master releases when it hears it: §6.4.3; there is no
 * make-before-break handoff for VRRP groups, docs/leases.md), and the address a SIGKILLed agent
 * leaves bound (docs/lan-mode.md "After a crash"), which the test deletes as soon as the process
 * is gone, as `ExecStopPost=vipd cleanup` would. And by the client: no request answered by both.
 *
 * One master, two names: the election hears a's VRRP adverts as sender `192.0.2.11` (the
 * source address, src/wire/vrrp-advert.ts) and its gRPC adverts as `a` at 192.0.2.11, and a
 * backup follows whichever came last, so reasons name `a(192.0.2.11)` or `192.0.2.11`; the
 * assertions accept either and the diagnostics say which.
 *
 * No assertion on how fast anything happens: order and reasons only, every wait bounded.
 * Root and iproute2, keepalived for scenario 2 (tcpdump optional); skipped with the reason
 * otherwise. The namespaces, the bridge and every agent are removed in `after`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { Agent, parseVipdRole, prepareUnicast, SETTINGS, startImpl, vipdUnicastConf, type Deployment, type HaName } from '../../bench/impls.js';
import { Lab, VIP, VIP_PREFIX } from '../../bench/lab.js';
import { nowMs } from '../../bench/proc.js';
import { ROOT, TSX_IMPORT } from '../../bench/vipd-build.js';
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

/** Why two holders were seen: a preemption's moment or a killed agent's leftover. */
interface Excuse {
  readonly kind: 'preemption' | 'leftover';
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

/**
 * The preemptions among `takeovers` (`-> MASTER (preempt: ...)` of `winner`): each excuses two
 * holders from the takeover until the first sample without `loser`, provided `loser` logged
 * its step-down (`stepDown`) after the takeover.
 */
function preemptionExcuses(samples: readonly HolderSample[], takeovers: readonly Entry[], loser: string, stepDowns: readonly Entry[]): Excuse[] {
  return takeovers.flatMap((tk) => {
    const from = tk.at - SLACK_MS;
    const down = stepDowns.find((e) => e.at >= from);
    const released = samples.find((s) => s.from >= from && !s.holders.includes(loser));
    if (!down || !released) return [];
    return [{ kind: 'preemption' as const, from, to: released.to, text: `${tk.node}: ${tk.msg}; ${loser}: ${down.msg}` }];
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
    const at = `${run.length} sample(s), ${Math.round(last.to - first.from)} ms from first to last (at most ${Math.round((afterS?.from ?? last.to) - (before?.to ?? first.from))} ms)`;
    t.diagnostic(`${label}: a and b both carried ${VIP}: ${at}: ${ex ? `${ex.kind}: ${ex.text}` : 'UNEXPLAINED'}`);
    if (!ex) unexplained.push(at);
  }
  assert.deepEqual(unexplained, [], `${label}: a and b both carried ${VIP} outside a preemption or a killed agent's leftover\n${detail()}`);
}

/** The client: requests sent in [from, to] answered by more than one node. */
function answeredTwice(lab: Lab, from: number, to: number): string[] {
  return lab.probes.slice(from, to).filter((p) => new Set(p.answers.map((x) => x.node)).size > 1)
    .map((p) => `#${p.seq} at +${Math.round(p.sentAt - from)} ms: ${p.answers.map((x) => x.node).join('+')}`);
}

/** vipdUnicastConf's node (a witness as it is), with the group made `transport: both`, VRRPv3. */
function bothConf(lab: Lab, node: HaName | 'w', members: readonly HaName[], witness: boolean): string {
  const conf = vipdUnicastConf({ lab, setting: SETTING, groups: 1, pki: lab.dir }, node, members, witness);
  if (node === 'w') return conf;
  const out = conf.replace(/^( {4}vrid: \d+)$/m, `$1\n    transport: both\n    version: ${SETTING.version}`);
  assert.notEqual(out, conf, 'the group has a vrid line to put transport: both after');
  return out;
}

const skip = (await netnsSkipReason()) ?? (await missingTools(['ip'])) ?? false;
/** Scenario 2 only. */
const noKeepalived = (await missingTools(['keepalived'])) ?? false;

describe('transport both: VRRP beside gRPC, with vipd peers and with keepalived', { skip }, () => {
  let lab: Lab | undefined;
  const readers = new Map<string, AddrReader>();
  /** The vipd agent now running on each node. */
  const current = new Map<string, Agent>();
  /** Every vipd agent started, for logs and cleanup. */
  const started: Agent[] = [];
  let keepalived: Deployment | undefined;
  const files = new Map<string, string>();

  before(async () => {
    lab = await Lab.create({ label: 'both', witness: true, lifetimeMs: LIFETIME_MS, keepLogMs: LIFETIME_MS });
    await lab.startService();
    await prepareUnicast(lab, lab.dir);
    for (const n of ['a', 'b'] as const) readers.set(n, new AddrReader(lab.host(n).ns, lab.host(n).ifname));
  }, { timeout: 150_000 });

  after(async () => {
    for (const r of readers.values()) r.close();
    await Promise.all(started.map((a) => a.kill()));
    await keepalived?.kill();
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
  const ka = (): Agent => {
    if (!keepalived) throw new Error('keepalived not started');
    return keepalived.agent('b');
  };
  async function writeConf(name: string, yaml: string): Promise<void> {
    const file = join(L().dir, `both-${name}.yaml`);
    await writeFile(file, yaml);
    files.set(name, file);
  }
  function startVipd(node: string, conf: string): Agent {
    const file = files.get(conf);
    if (!file) throw new Error(`no configuration ${conf}`);
    const a = new Agent(node, L().host(node).ns, [...VIPD_ARGV, 'run', '-c', file], LIFETIME_MS, parseVipdRole);
    current.set(node, a);
    started.push(a);
    return a;
  }
  /** Every line of every vipd (and keepalived) since `since`, in the order the test read them. */
  const log = (since = 0): Entry[] => [...started.map((a) => entries(a, true)), ...(keepalived ? [entries(ka(), false)] : [])]
    .flat().filter((e) => e.t >= since).sort((x, y) => x.t - y.t);
  const detail = (since = 0) => () => log(since).slice(-80).map((e) => `  ${e.node}: ${e.msg}`).join('\n');
  const interesting = /-> [A-Z]+ \(|Entering|higher prio|advertisement timeout|priority 0|removed|added|quorum|startup-hold|verdict|handing|warn|only voter|error/i;
  function report(t: TestContext, since: number, label: string): void {
    t.diagnostic(`${label}: log since the phase began:`);
    for (const e of log(since).filter((x) => interesting.test(x.msg)).slice(0, 60)) t.diagnostic(`  +${Math.round(e.at - since)} ms ${e.node}: ${e.msg}`);
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

  // ---- scenario 1: a, b and w, all transport both ----

  it('a (150), b (100) and a witness, transport both: a is elected, one holder; a sends VRRPv3 adverts beside gRPC', { timeout: FIRST_STEADY_MS + 2 * WAIT_MS }, async (t) => {
    const lab = L();
    await writeConf('w', bothConf(lab, 'w', ['a', 'b'], true));
    for (const n of ['a', 'b'] as const) await writeConf(n, bothConf(lab, n, ['a', 'b'], true));
    const sampler = new HolderSampler(readers, VIP, 10, FIRST_STEADY_MS + WAIT_MS);
    const t0 = nowMs();
    try {
      startVipd('w', 'w');
      startVipd('a', 'a');
      startVipd('b', 'b');
      await until(() => vipdRole('a') === 'MASTER' && vipdRole('b') === 'BACKUP' && alone(sampler, 'a', t0, 1_000), FIRST_STEADY_MS,
        'a master with the VIP alone, b backup, the client answered by a', detail());
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    report(t, t0, 'start');
    const excuses = preemptionExcuses(sampler.samples, log(t0).filter((e) => e.node === 'a' && /-> MASTER \(preempt:/.test(e.msg)), 'b',
      log(t0).filter((e) => e.node === 'b' && /^MASTER -> BACKUP \(/.test(e.msg)));
    checkHolders(t, 'start', sampler.samples, excuses, detail(t0));
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    const aTake = agent('a').changes.find((c) => c.to === 'MASTER');
    assert.ok(aTake, 'a logged its takeover');
    t.diagnostic(`a's takeover: ${aTake.text}`);

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
  });

  it('SIGKILL of a: b takes over (no crash-verdict takeover), never two live holders; a restarted preempts, one master', { timeout: 4 * WAIT_MS }, async (t) => {
    const lab = L();
    const sampler = new HolderSampler(readers, VIP, 10, 3 * WAIT_MS);
    const t0 = nowMs();
    let leftover: Excuse | undefined;
    let restartAt = 0;
    try {
      await until(() => alone(sampler, 'a', t0, 500), WAIT_MS, 'a alone with the VIP', detail());
      leftover = await crash('a');
      await until(() => vipdRole('b') === 'MASTER' && alone(sampler, 'b', leftover?.to ?? 0, 500), WAIT_MS,
        'b master with the VIP alone, the client answered by b', detail(t0));
      restartAt = nowMs();
      startVipd('a', 'a');
      await until(() => vipdRole('a') === 'MASTER' && vipdRole('b') === 'BACKUP' && alone(sampler, 'a', restartAt, 500), WAIT_MS,
        'the restarted a master with the VIP alone, b backup', detail(restartAt));
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    assert.ok(leftover);
    t.diagnostic(leftover.text);
    report(t, leftover.from, 'SIGKILL a, restart a');
    const events = log(t0);
    const bTake = events.find((e) => e.node === 'b' && /^BACKUP -> MASTER \(/.test(e.msg));
    assert.ok(bTake, `b logged no takeover\n${detail(t0)()}`);
    t.diagnostic(`b's takeover after the SIGKILL: ${bTake.msg}`);
    // A VRRP group does not take over on the election's crash verdict (docs/leases.md "Crash verdict").
    assert.doesNotMatch(bTake.msg, /^BACKUP -> MASTER \((crash-verdict|preempt):/);
    t.diagnostic(`b named its master by ${/ a\(192\.0\.2\.11\)/.test(bTake.msg) ? 'node id: the last advert it had heard came over gRPC' : /192\.0\.2\.11/.test(bTake.msg) ? 'address: the last advert it had heard came over VRRP' : 'neither'}`);
    assert.match(bTake.msg, /^BACKUP -> MASTER \((master down: no advert from|probe-confirmed: master) (a\(192\.0\.2\.11\)|192\.0\.2\.11|a)[ )]/);
    const bAdded = events.find((e) => e.node === 'b' && e.msg.startsWith(`added ${VIP}/`) && e.at >= bTake.at - SLACK_MS);
    assert.ok(bAdded, 'b bound the VIP after its takeover');

    const aTake = events.find((e) => e.node === 'a' && e.t >= restartAt && /-> MASTER \(/.test(e.msg));
    assert.ok(aTake, `the restarted a logged no takeover\n${detail(restartAt)()}`);
    t.diagnostic(`the restarted a's takeover: ${aTake.msg}`);
    assert.match(aTake.msg, /^BACKUP -> MASTER \(preempt: priority 150 > 100 of master (b\(192\.0\.2\.12\)|192\.0\.2\.12|b)\)/);
    const bDown = events.find((e) => e.node === 'b' && e.t >= restartAt && /^MASTER -> BACKUP \(/.test(e.msg));
    assert.ok(bDown, 'b stepped down');
    t.diagnostic(`b's step-down: ${bDown.msg}`);
    assert.match(bDown.msg, /higher-ranked master (a\(192\.0\.2\.11\)|192\.0\.2\.11|a) \(priority 150/);
    const aAdded = events.find((e) => e.node === 'a' && e.t >= restartAt && e.msg.startsWith(`added ${VIP}/`));
    const bRemoved = events.find((e) => e.node === 'b' && e.t >= restartAt && e.msg.startsWith(`removed ${VIP}/`));
    assert.ok(aAdded && bRemoved, 'a bound the VIP and b released it');
    t.diagnostic(`preemption by the agents' clocks: a bound at +0, b released at ${Math.round(bRemoved.at - aAdded.at)} ms (make-before-break by RFC 5798 order, no handoff for VRRP groups)`);

    const excuses = [leftover, ...preemptionExcuses(sampler.samples, [aTake], 'b', [bDown])];
    checkHolders(t, 'SIGKILL a, restart a', sampler.samples, excuses, detail(t0));
    assert.ok(sampler.samples.some((s) => s.from > leftover.to && s.holders.join() === 'b'), 'the window saw b holding alone');
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
    if (bAdded.at < leftover.to) t.diagnostic(`b bound the VIP ${Math.round(leftover.to - bAdded.at)} ms before the test deleted a's leftover`);
  });

  it('SIGTERM of the master: it resigns, the other takes over; never two holders', { timeout: 3 * WAIT_MS }, async (t) => {
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
    const bTake = events.find((e) => e.node === 'b' && /^BACKUP -> MASTER \(/.test(e.msg));
    assert.ok(bTake, `b logged no takeover\n${detail(termAt)()}`);
    t.diagnostic(`b's takeover after the SIGTERM: ${bTake.msg}`);
    // RFC 5798 §6.4.2: a priority-0 advert sets Master_Down_Timer to Skew_Time (no handoff for VRRP groups).
    assert.match(bTake.msg, /^BACKUP -> MASTER \(master (a\(192\.0\.2\.11\)|192\.0\.2\.11) resigned \(priority 0\), Skew_Time elapsed\)/);
    const aRemoved = events.find((e) => e.node === 'a' && e.msg.startsWith(`removed ${VIP}/`));
    const bAdded = events.find((e) => e.node === 'b' && e.msg.startsWith(`added ${VIP}/`));
    assert.ok(aRemoved && bAdded, 'a released the VIP and b bound it');
    t.diagnostic(`a released at +${Math.round(aRemoved.at - termAt)} ms, b bound at +${Math.round(bAdded.at - termAt)} ms (agents' clocks)`);
    assert.ok(aRemoved.at <= bAdded.at + SLACK_MS, 'a released before b bound (a graceful stop is break-before-make here)');
    checkHolders(t, 'SIGTERM a', sampler.samples, [], detail(termAt));
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
  });

  // ---- scenario 2: keepalived on b, vipd transport both on a ----

  it('keepalived (100) on b and vipd transport both (150, no unicast peer) on a: a elected; SIGKILL a: keepalived takes over; a restarted preempts', { skip: noKeepalived, timeout: FIRST_STEADY_MS + 4 * WAIT_MS }, async (t) => {
    const lab = L();
    await Promise.all([...current.values()].map((a) => a.kill()));
    current.clear();
    await lab.reset([VIP]);
    await writeConf('a-solo', bothConf(lab, 'a', ['a'], false));
    const sampler = new HolderSampler(readers, VIP, 10, FIRST_STEADY_MS + 3 * WAIT_MS);
    const t0 = nowMs();
    let leftover: Excuse | undefined;
    let killAt = 0;
    let restartAt = 0;
    const kaRole = () => ka().role('web');
    try {
      keepalived = await startImpl('keepalived', { lab, setting: SETTING, groups: 1, vipdArgv: VIPD_ARGV, lifetimeMs: LIFETIME_MS, nodes: ['b'] });
      startVipd('a', 'a-solo');
      await until(() => vipdRole('a') === 'MASTER' && kaRole() === 'BACKUP' && alone(sampler, 'a', t0, 1_000), FIRST_STEADY_MS,
        'vipd a master with the VIP alone, keepalived backup', detail(t0));
      report(t, t0, 'mixed start');
      killAt = nowMs();
      leftover = await crash('a');
      t.diagnostic(leftover.text);
      await until(() => kaRole() === 'MASTER' && alone(sampler, 'b', leftover?.to ?? 0, 500), WAIT_MS, 'keepalived master with the VIP alone', detail(killAt));
      report(t, killAt, 'mixed SIGKILL a');
      restartAt = nowMs();
      startVipd('a', 'a-solo');
      await until(() => vipdRole('a') === 'MASTER' && kaRole() === 'BACKUP' && alone(sampler, 'a', restartAt, 500), WAIT_MS,
        'the restarted a master with the VIP alone, keepalived backup', detail(restartAt));
      report(t, restartAt, 'mixed restart a');
    } finally {
      await sampler.stop();
    }
    const endAt = nowMs();
    const events = log(t0);
    const warning = events.find((e) => e.node === 'a' && /only voter/.test(e.msg));
    t.diagnostic(`vipd a's configuration warning: ${warning?.msg ?? '(none logged)'}`);
    const kaLines = (from: number, to: number) => events.filter((e) => e.node === 'b' && e.t >= from && e.t <= to && /^\(web\)/.test(e.msg)).map((e) => e.msg);
    const kaTake = events.find((e) => e.node === 'b' && e.t >= killAt && /Entering MASTER STATE/.test(e.msg));
    assert.ok(kaTake, `keepalived logged no takeover\n${detail(killAt)()}`);
    t.diagnostic(`keepalived after the SIGKILL: ${kaLines(killAt, kaTake.t).join(' | ')}`);
    const aTakes = events.filter((e) => e.node === 'a' && /-> MASTER \(/.test(e.msg));
    for (const e of aTakes) t.diagnostic(`vipd a's takeover at +${Math.round(e.at - t0)} ms: ${e.msg}`);
    const aTake = aTakes.find((e) => e.t >= restartAt);
    assert.ok(aTake, 'the restarted a took over');
    assert.match(aTake.msg, /^BACKUP -> MASTER \(preempt: priority 150 > 100 of master 192\.0\.2\.12\)/);
    const kaDowns = events.filter((e) => e.node === 'b' && /Entering BACKUP STATE/.test(e.msg));
    const kaDown = kaDowns.find((e) => e.t >= restartAt);
    assert.ok(kaDown, 'keepalived went back to BACKUP');
    t.diagnostic(`keepalived at the preemption: ${kaLines(restartAt, kaDown.t + 200).join(' | ')}`);
    assert.ok(kaLines(restartAt, kaDown.t).some((m) => /higher prio/i.test(m) && m.includes(A_IP)), `keepalived stepped down for a's higher priority\n${detail(restartAt)()}`);

    assert.ok(leftover);
    const preempts = preemptionExcuses(sampler.samples, aTakes.filter((e) => /preempt:/.test(e.msg)), 'b', kaDowns);
    checkHolders(t, 'mixed', sampler.samples, [leftover, ...preempts], detail(t0));
    assert.ok(sampler.samples.some((s) => s.from > leftover.to && s.holders.join() === 'b'), 'the window saw keepalived holding alone');
    assert.deepEqual(answeredTwice(lab, t0, endAt), [], 'requests answered by both a and b');
  });
});
