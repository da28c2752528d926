/**
 * The whole-node properties' scenarios (issue 8 "What must exist" 8): three voters of one
 * `quorum: majority` group (two members and a witness, or three members) run as real
 * ClusterNodes in the simulator (world.ts) through random faults — partitions both ways and one
 * way, half of them isolating the holder; loss up to 30 %, delays up to 2 × the advert interval,
 * crashes, restarts that find the VIP their predecessor left bound, one node at a time stalling
 * up to the lease's stall tolerance, provider calls that take up to 50 ms and acquires that
 * sometimes fail — and then a calm network with every node running. In a share of the seeds
 * (`bfd`) every process also runs BFD sessions to the others (world.ts, bfd-link.ts) through all
 * of it, and a lossy link (10-20 % loss both ways on every link of one node, mostly the
 * holder's) is among the faults. In a share of the seeds (`reload`) reloads are among the
 * faults too: a member's group changes and restarts in place (ClusterNode.reconfigure). The
 * invariant checker (invariant.ts) watches the whole run.
 * test/sim/whole-node.test.ts states the properties.
 */
import assert from 'node:assert/strict';
import { TIMING_PRESETS } from '../../src/config/presets.js';
import { RHO } from '../../src/core/election/lease.js';
import { MAX_TERM } from '../../src/core/election/terms.js';
import { Adversary } from './adversary.js';
import { seeds } from './cluster.js';
import { describeViolations } from './invariant.js';
import { Rng } from './rng.js';
import { ADVERSARY, SimWorld, type BfdCounts, type SimBfd, type Timing, type WorldNode } from './world.js';

export interface Faults {
  /** How many fault steps before the calm. */
  readonly steps: number;
  /** Longest stall of one process, ms (0: none); also the lease's stall tolerance S. */
  readonly maxStallMs: number;
  /** Longest one-way delay (latency + jitter), ms. */
  readonly maxDelayMs: number;
  /** An allow-listed non-voter sends arbitrary adverts and gossip until the calm (adversary.ts). */
  readonly adversary?: boolean;
  /**
   * The group's reassert_interval: a short one keeps the masters' reconcile loop (status, then
   * re-acquire) running all through the faults, under the invariant checker. Default 10 s.
   */
  readonly reassertIntervalMs?: number;
  /**
   * BFD sessions with `timers` in every process of one seed in `every` (bfdSeed); the other
   * seeds run without, as `bfd.enabled: false`, the default, does.
   */
  readonly bfd?: { readonly timers: SimBfd; readonly every: number };
  /**
   * `transport: both` with `vrrp_peers: vipd` in one seed of `every` (lanSeed): VRRP copies of
   * every advert on a LAN segment beside gRPC (world.ts `lan`).
   */
  readonly lan?: { readonly every: number };
  /**
   * Reloads among the faults in one seed of `every` (reloadSeed): a member's group changes
   * (a new priority) and restarts in place, handing off if master (ClusterNode.reconfigure).
   */
  readonly reload?: { readonly every: number };
}

/** Whether `seed` reloads among its faults: (seed + 3) % every === 0. */
export function reloadSeed(seed: number, f: Faults): boolean {
  return f.reload !== undefined && (seed + 3) % f.reload.every === 0;
}

/** Whether `seed` runs the group as `both` with VRRP copies: (seed + 2) % every === 0. */
export function lanSeed(seed: number, f: Faults): boolean {
  return f.lan !== undefined && (seed + 2) % f.lan.every === 0;
}

/**
 * Whether `seed` runs BFD: one seed in `every`, (seed + 1) % every === 0 (the odd seeds for 2).
 * Seeds without BFD draw the faults they drew before BFD was in the simulator (the lossy link
 * is drawn only with BFD; only the provider's retry jitter changed, now seeded: world.ts).
 */
export function bfdSeed(seed: number, f: Faults): SimBfd | undefined {
  return f.bfd && (seed + 1) % f.bfd.every === 0 ? f.bfd.timers : undefined;
}

export const WAN: Timing = { advertIntervalCs: 100, membership: TIMING_PRESETS.wan.membership };
export const LAN: Timing = { advertIntervalCs: 10, membership: TIMING_PRESETS.lan.membership };

/** Three voters: two members and a witness, or three members, with random priorities. */
export function voters(r: Rng): WorldNode[] {
  const withWitness = r.chance(0.5);
  const priority = (): number => (r.chance(0.3) ? 100 : r.int(1, 254));
  return withWitness
    ? [{ id: 'a', kind: 'member', priority: priority() }, { id: 'b', kind: 'member', priority: priority() }, { id: 'w', kind: 'witness' }]
    : [{ id: 'a', kind: 'member', priority: priority() }, { id: 'b', kind: 'member', priority: priority() }, { id: 'c', kind: 'member', priority: priority() }];
}

/** One random fault (or a heal) in the world, drawn from `r`; `reloads`: reloads are among them. */
async function fault(w: SimWorld, r: Rng, f: Faults, reloads: boolean): Promise<void> {
  const ids = w.ids();
  const up = ids.filter((id) => w.running(id));
  const down = ids.filter((id) => !w.running(id));
  // Drawn only in reload seeds, so the other seeds draw the faults they drew before.
  if (reloads && r.chance(0.2)) {
    const members = up.filter((id) => w.opts.nodes.find((n) => n.id === id)?.kind === 'member');
    // Mostly the holder's group: a master that hands off to itself-with-new-settings' peers.
    const holder = w.holders()[0];
    const who = holder !== undefined && members.includes(holder) && r.chance(0.6) ? holder : members.length > 0 ? r.pick(members) : undefined;
    if (who !== undefined) await w.reload(who, r.chance(0.3) ? 100 : r.int(1, 254));
    return;
  }
  const roll = r.next();
  if (roll < 0.15) {
    // Half the time the partition isolates whoever holds the VIP: the case leases exist for.
    const holder = w.holders()[0];
    if (holder !== undefined && r.chance(0.5)) {
      w.partition([holder], ids.filter((x) => x !== holder));
    } else {
      const shuffled = r.shuffle(ids);
      const k = r.int(1, ids.length - 1);
      w.partition(shuffled.slice(0, k), shuffled.slice(k));
    }
  } else if (roll < 0.27) {
    const from = r.pick(ids);
    w.cut(from, r.pick(ids.filter((x) => x !== from)));
  } else if (roll < 0.42) {
    const delay = r.next() * f.maxDelayMs;
    const jitter = r.next() * (f.maxDelayMs - delay);
    w.degrade({ loss: r.next() * 0.3, latencyMs: delay, jitterMs: jitter, duplicate: r.next() * 0.05, reorder: r.next() * 0.1, reorderDelayMs: r.next() * jitter });
  } else if (roll < 0.57 && up.length > 0) {
    // Half crashes (SIGKILL), half graceful stops (SIGTERM: a master hands off, issue 10),
    // the stops mostly of the holder.
    if (r.chance(0.5)) await w.crash(r.pick(up));
    else {
      const holder = w.holders()[0];
      await w.stop(holder !== undefined && up.includes(holder) && r.chance(0.7) ? holder : r.pick(up));
    }
  } else if (roll < 0.72 && down.length > 0) {
    await w.restart(r.pick(down));
  } else if (roll < 0.84 && f.maxStallMs > 0 && up.length > 0 && !ids.some((id) => w.nodeClock(id).stalled)) {
    w.stall(r.pick(up), r.int(100, f.maxStallMs));
  } else if (roll < 0.92) {
    w.heal();
  } else if (roll < 0.98 && w.opts.bfd) {
    // A lossy link (a bad NIC), mostly the holder's, its BFD packets lost with the rest: the
    // adaptive multiplier and the majority rule hold a takeover back (docs/bfd.md), leases keep
    // it safe whatever BFD says.
    const holder = w.holders()[0];
    w.lossyLink(holder !== undefined && r.chance(0.7) ? holder : r.pick(ids), 0.1 + 0.1 * r.next());
  }
}

/** Builds a world for `seed`, runs its faults, calms it, and checks the invariants throughout. */
export async function scenario(seed: number, timing: Timing, f: Faults): Promise<SimWorld> {
  const r = new Rng(seed ^ 0x5bd1e995);
  const bfd = bfdSeed(seed, f);
  const w = new SimWorld({
    seed,
    ...(bfd ? { bfd } : {}),
    ...(lanSeed(seed, f) ? { lan: true } : {}),
    nodes: voters(r),
    timing,
    rho: RHO,
    providerLatencyMs: 50,
    providerFailure: r.chance(0.5) ? r.next() * 0.1 : 0,
    link: { latencyMs: 1, jitterMs: 2 },
    stallToleranceMs: f.maxStallMs,
    ...(f.reassertIntervalMs !== undefined ? { reassertIntervalMs: f.reassertIntervalMs } : {}),
  });
  const advertMs = timing.advertIntervalCs * 10;
  await w.start();
  const adversary = f.adversary ? new Adversary(w, ADVERSARY, new Rng(seed ^ 0x27d4eb2f)) : undefined;
  await adversary?.start();
  await w.runFor(r.int(0, 4 * advertMs));
  for (let i = 0; i < f.steps; i++) {
    await fault(w, r, f, reloadSeed(seed, f));
    await w.runFor(r.int(advertMs / 5, 5 * advertMs));
  }
  // Calm: heal, restart whoever is down, and let the settle window pass with room to check it.
  adversary?.stop();
  w.heal();
  for (const id of w.ids()) if (!w.running(id)) await w.restart(id);
  await w.runFor(w.checker.settleMs + 2 * w.takeoverWaitMs());
  return w;
}

/**
 * Terms order the masterships (docs/leases.md, "Terms"; providers/common/fence.ts fences a lower
 * term by a higher one): every acquisition that changed a host's record from not held to held,
 * in world time, carries a term above every earlier acquisition's, or at least it when the same
 * host acquired last (its own mastership taking the VIP again after its lease ran out). A
 * restarted voter forgot the terms it granted (the known gap in docs/leases.md), so a restart
 * starts the comparison afresh, and MAX_TERM may repeat. Returns what breaks that, empty when nothing does.
 */
export function termOrder(w: SimWorld): string[] {
  const acquisitions = w.ids().flatMap((host) => w.record(host).changes.filter((c) => c.held).map((c) => ({ host, at: c.at, term: c.term })));
  acquisitions.sort((x, y) => x.at - y.at);
  const restarts = [...w.restarts].sort((x, y) => x - y);
  const out: string[] = [];
  let max = -1;
  let last: string | undefined;
  let since = -Infinity;
  for (const a of acquisitions) {
    const restart = restarts.filter((r) => r <= a.at).at(-1) ?? -Infinity;
    if (restart > since) {
      since = restart;
      max = -1;
      last = undefined;
    }
    // MAX_TERM (saturated by the adversary's hostile terms) orders nothing (docs/leases.md).
    const ok = a.host === last || a.term === MAX_TERM ? a.term >= max : a.term > max;
    if (!ok) out.push(`  t=${a.at.toFixed(1)} ${a.host} acquired at term ${a.term}, after term ${max} (last acquired by ${last}), no restart since t=${since.toFixed(1)}`);
    max = Math.max(max, a.term);
    last = a.host;
  }
  return out;
}

export function addCounts(sum: BfdCounts, c: BfdCounts): void {
  sum.downs += c.downs;
  sum.ups += c.ups;
  sum.confirms += c.confirms;
  sum.takeovers += c.takeovers;
}

export function describeCounts(t: SimBfd, c: BfdCounts): string {
  return `BFD at ${t.intervalMs} ms x ${t.multiplier}: ${c.ups} sessions Up, ${c.downs} Down (not AdminDown), ${c.confirms} nodes confirmed down by the majority rule, ${c.takeovers} takeovers on it (bfd-down)`;
}

/**
 * `livenessGaps`: seeds whose liveness failure is known and tracked by a todo test of its own;
 * for them only the safety invariant (never two running holders) is asserted here.
 */
export async function property(file: string, name: string, count: number, timing: Timing, f: Faults, livenessGaps: readonly number[] = []): Promise<void> {
  const list = seeds(count);
  const all = process.env.SIM_ALL === '1';
  const failing: number[] = [];
  let steps = 0;
  let reads = 0;
  let slowest = { seed: 0, ms: 0 };
  let handoffs = 0;
  let overlapMs = 0;
  let reloads = 0;
  const bfd: BfdCounts = { downs: 0, ups: 0, confirms: 0, takeovers: 0 };
  let bfdSeeds = 0;
  const lan = { seeds: 0, copies: 0, fastTakeovers: 0 };
  const holds = new Map<string, number>();
  for (const seed of list) {
    const w = await scenario(seed, timing, f);
    if (w.opts.bfd) bfdSeeds++;
    if (w.opts.lan) {
      lan.seeds++;
      lan.copies += w.lanCounts.copies;
      lan.fastTakeovers += w.lanCounts.fastTakeovers;
    }
    for (const [k, n] of w.holdEnds) holds.set(k, (holds.get(k) ?? 0) + n);
    addCounts(bfd, w.bfdCounts);
    steps += w.checker.steps;
    handoffs += w.handoffs.length;
    reloads += w.reloads;
    overlapMs += w.checker.overlapMs;
    reads += w.reads();
    const settle = w.checker.settleTimeMs ?? 0;
    if (settle > slowest.ms) slowest = { seed, ms: settle };
    const violations = livenessGaps.includes(seed) ? w.checker.violations.filter((v) => v.kind === 'two-holders') : w.checker.violations;
    const terms = termOrder(w);
    if (violations.length === 0 && terms.length === 0) continue;
    const settled = w.checker.settledFrom;
    const termMsg = terms.length === 0 ? '' : `terms of successive acquisitions not increasing:\n${terms.join('\n')}\n`;
    const msg = `${name}: seed ${seed} violated the invariants (stable from t=${settled === undefined ? 'never' : (settled - w.checker.settleMs).toFixed(1)}, settle window ${w.checker.settleMs.toFixed(0)} ms):\n${describeViolations(violations)}\n${termMsg}`
      + `last events:\n${w.report()}\n  replay: SIM_SEED=${seed} SIM_LOG=1 node --import tsx --test --test-name-pattern="${name}" ${file}`;
    if (!all) assert.fail(msg);
    failing.push(seed);
    console.log(msg);
  }
  const bfdMsg = (f.bfd ? `, ${bfdSeeds} seeds with ${describeCounts(f.bfd.timers, bfd)}` : '')
    + (f.lan ? `, ${lan.seeds} seeds transport both (vrrp_peers: vipd): ${lan.copies} VRRP copies heard, ${lan.fastTakeovers} takeovers by crash verdict or handoff` : '')
    + (f.reload ? `, ${reloads} reloads that restarted a group in place` : '');
  console.log(`# ${name}: ${list.length} seeds, ${steps} steps of time checked, ${reads} reconcile reads, ${handoffs} handoffs (two holders ${overlapMs.toFixed(1)} ms in all, within their windows)${bfdMsg}, startup holds ended: ${[...holds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}, slowest settle after the calm ${slowest.ms.toFixed(0)} ms (seed ${slowest.seed}), failing seeds: [${failing.join(', ')}]`);
  assert.deepEqual(failing, [], `failing seeds: ${failing.join(', ')}`);
  // A property that says it runs BFD must have run its new path: sessions going Down, and the
  // majority rule confirming a master down for a backup that then took over (partitions, stalls
  // and crashes of the master are among the faults).
  if (bfdSeeds >= 50) {
    assert.ok(bfd.downs > 0, `${name}: no BFD session went Down in ${bfdSeeds} seeds with BFD`);
    assert.ok(bfd.takeovers > 0, `${name}: no takeover confirmed by BFD (bfd-down) in ${bfdSeeds} seeds with BFD`);
  }
  // The same for `both` groups: their VRRP copies were heard, and their masters were still taken
  // over on crash verdicts and handoffs, which match the master by node id (vrrp-identities.ts).
  if (lan.seeds >= 50) {
    assert.ok(lan.copies > 0, `${name}: no VRRP copy heard in ${lan.seeds} seeds with transport both`);
    assert.ok(lan.fastTakeovers > 0, `${name}: no crash-verdict or handoff takeover in ${lan.seeds} seeds with transport both`);
  }
  // Every boot holds (world.ts): the first election of each seed and every restart went through it.
  if (list.length >= 50) assert.ok([...holds.values()].reduce((a, b) => a + b, 0) >= list.length, `${name}: fewer startup holds than seeds`);
  // Graceful stops are among the faults: with enough seeds some stop a master, which hands off.
  if (list.length >= 50) assert.ok(handoffs > 0, `${name}: no handoff in ${list.length} seeds`);
  // A property that says it reloads must have reloaded running groups.
  if (f.reload && list.length >= 50) assert.ok(reloads > 0, `${name}: no reload in ${list.length} seeds`);
  // A property that says it exercises the reconcile loop must have run it.
  if (f.reassertIntervalMs !== undefined) assert.ok(reads > 0, `${name}: the reconcile loop never ran`);
}

