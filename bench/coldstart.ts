/**
 * Cold starts (issue 10 target: exactly one VIP move for a pair and for a trio, 10 of 10
 * starts). Per start: no agent running, no VIP bound; the HA nodes start in a random order at
 * random delays within COLD_SPREAD_MS of each other ("started within a few seconds of each
 * other"), 100 ms adverts, priorities a 150 > b 100 > c 50, preempt on. A VIP move is the VIP
 * being bound on a node (RTM_NEWADDR, `ip monitor address` in every HA node's namespace for the
 * whole phase); a start is right when the only bind was on a and, once every node is up and
 * settled, the VIP is on a alone. Role changes into MASTER are recorded beside it.
 *
 * Shapes: the pair is a and b (vipd unicast: + witness w, quorum majority, as in the failover
 * phase); the trio is a, b and c (vipd unicast: three members, quorum majority, no witness).
 * The implementations run at the same time, each in its own lab; the starts of one run one
 * after the other. Counting moves needs no millisecond timing, so sharing the machine with
 * the flap cells (which also only count) changes nothing the target measures.
 */
import type { BenchContext } from './context.js';
import { IMPL_LABEL, prepareUnicast, SETTINGS, startImpl, type Deployment, type HaName } from './impls.js';
import { Lab, VIP } from './lab.js';
import type { ImplId } from './options.js';
import { nowMs, pollUntil, sleep } from './proc.js';
import { WireCapture } from './wire-capture.js';
import type { WireEvent } from './wire.js';

export const COLD_SHAPES = ['pair', 'trio'] as const;
export type ColdShape = (typeof COLD_SHAPES)[number];
/** Every node starts within this long of the first. */
export const COLD_SPREAD_MS = 2_000;
/** After the last node started and the VIP settled on a: watched this long for late moves. */
const WATCH_AFTER_MS = 3_000;
const SETTLE_TIMEOUT_MS = 30_000;

export interface ColdStartRecord {
  readonly type: 'cold-start';
  readonly impl: ImplId;
  readonly shape: ColdShape;
  readonly start: number;
  readonly at: string;
  readonly error?: string;
  /** The start order and each node's delay after the first (ms). */
  readonly schedule?: ReadonlyArray<{ readonly node: HaName; readonly atMs: number }>;
  /** Every bind of the VIP, in order: the node and ms after the first node started. */
  readonly binds?: ReadonlyArray<readonly [string, number]>;
  /** Transitions into MASTER, in order: node and ms after the first start. */
  readonly masters?: ReadonlyArray<readonly [string, number]>;
  /** Nodes holding the VIP at the end. */
  readonly holders?: readonly string[];
  /** First start → the VIP settled on a (ms). */
  readonly settledMs?: number;
}

/** A start is right when the VIP was bound once, on a, and a alone holds it at the end. Pure. */
export function coldStartOk(r: ColdStartRecord): boolean {
  return !r.error && r.binds?.length === 1 && r.binds[0]?.[0] === 'a' && r.holders?.length === 1 && r.holders[0] === 'a';
}

/**
 * The VIP's binds in time order: a node's RTM_NEWADDR counts only when it did not hold the VIP
 * already (re-asserting a bound address — `ip addr replace` — announces it again without a
 * delete in between, and is no move). Pure: no VIP on any node at the start.
 */
export function vipBinds(events: ReadonlyArray<{ readonly node: string; readonly kind: WireEvent['kind']; readonly wallUs: number }>): Array<[string, number]> {
  const held = new Set<string>();
  const out: Array<[string, number]> = [];
  for (const e of [...events].sort((x, y) => x.wallUs - y.wallUs)) {
    if (e.kind === 'bound' && !held.has(e.node)) {
      held.add(e.node);
      out.push([e.node, e.wallUs]);
    } else if (e.kind === 'unbound') held.delete(e.node);
  }
  return out;
}

function schedule(nodes: readonly HaName[]): Array<{ node: HaName; atMs: number }> {
  const order = [...nodes].sort(() => Math.random() - 0.5);
  return order.map((node, i) => ({ node, atMs: i === 0 ? 0 : Math.round(Math.random() * COLD_SPREAD_MS) }));
}

async function coldStart(ctx: BenchContext, lab: Lab, monitors: ReadonlyMap<string, WireCapture>, impl: ImplId, shape: ColdShape, start: number): Promise<ColdStartRecord> {
  const nodes: HaName[] = shape === 'pair' ? ['a', 'b'] : ['a', 'b', 'c'];
  const base = { type: 'cold-start' as const, impl, shape, start, at: new Date().toISOString() };
  const plan = schedule(nodes);
  let d: Deployment | undefined;
  try {
    await lab.reset([VIP]);
    const t0Wall = Date.now();
    const t0 = nowMs();
    d = await startImpl(impl, { lab, setting: SETTINGS['100ms'], groups: 1, vipdArgv: ctx.vipdArgv, lifetimeMs: 60_000, pkiDir: lab.dir, nodes, witness: shape === 'pair', schedule: plan });
    const dep = d;
    const holders = async () => {
      const out: string[] = [];
      for (const n of nodes) if ((await lab.vipCount(n, [VIP])) === 1) out.push(n);
      return out;
    };
    const settled = await pollUntil(async () => {
      if (dep.agent('a').role() !== 'MASTER' || nodes.slice(1).some((n) => dep.agent(n).role() !== 'BACKUP')) return false;
      const h = await holders();
      return h.length === 1 && h[0] === 'a';
    }, SETTLE_TIMEOUT_MS, 50);
    const settledMs = nowMs() - t0;
    await sleep(WATCH_AFTER_MS);
    const end = Date.now();
    const events = nodes.flatMap((node) => (monitors.get(node)?.events ?? []).filter((e) => e.address === VIP && e.wallUs >= t0Wall * 1000 && e.wallUs <= end * 1000).map((e) => ({ ...e, node })));
    const binds = vipBinds(events).map(([n, us]) => [n, Math.round(us / 1000 - t0Wall)] as const);
    const masters = nodes
      .flatMap((n) => dep.agent(n).changes.filter((c) => c.to === 'MASTER').map((c) => [n, Math.round(c.t - t0)] as const))
      .sort((x, y) => x[1] - y[1]);
    return {
      ...base,
      schedule: plan,
      binds,
      masters,
      holders: await holders(),
      ...(settled ? { settledMs: Math.round(settledMs) } : { error: `the VIP did not settle on a alone within ${SETTLE_TIMEOUT_MS / 1000} s` }),
    };
  } catch (err) {
    return { ...base, schedule: plan, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await d?.kill();
    await lab.reset([VIP]);
  }
}

async function coldStartsOf(ctx: BenchContext, impl: ImplId, registerLab: (lab: Lab) => void): Promise<ColdStartRecord[]> {
  const records: ColdStartRecord[] = [];
  const n = ctx.options.coldStarts;
  const lifetimeMs = COLD_SHAPES.length * n * 60_000;
  let lab: Lab | undefined;
  const monitors = new Map<string, WireCapture>();
  try {
    lab = await Lab.createStarted(
      { label: `cold-${impl}`, witness: true, third: true, lifetimeMs: lifetimeMs + 300_000, keepLogMs: 60_000 },
      (l) => {
        lab = l;
        registerLab(l);
      },
      impl === 'vipd-unicast' ? (l) => prepareUnicast(l, l.dir) : undefined,
    );
    for (const node of lab.haNodes()) monitors.set(node, await WireCapture.start(lab, node, lifetimeMs, false));
    for (const shape of COLD_SHAPES) {
      for (let start = 1; start <= n; start++) {
        const r = await coldStart(ctx, lab, monitors, impl, shape, start);
        records.push(r);
        ctx.results.write(r);
        const text = r.error && !r.binds ? `ERROR ${r.error.split('\n')[0]}` : `binds ${(r.binds ?? []).map((b) => b[0]).join(',') || 'none'}, masters ${(r.masters ?? []).map((m) => m[0]).join(',') || 'none'}${coldStartOk(r) ? '' : ` — NOT ONE MOVE${r.error ? ` (${r.error.split('\n')[0]})` : ''}`}`;
        ctx.progress.log(`  cold start ${IMPL_LABEL[impl].padEnd(12)} ${shape} ${start}/${n}: order ${(r.schedule ?? []).map((s) => `${s.node}@${s.atMs}`).join(' ')}: ${text}`);
      }
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const r: ColdStartRecord = { type: 'cold-start', impl, shape: 'pair', start: 0, at: new Date().toISOString(), error };
    records.push(r);
    ctx.results.write(r);
  } finally {
    for (const m of monitors.values()) m.stop();
    await lab?.destroy().catch(() => undefined);
  }
  return records;
}

/** Every implementation at once, each in its own lab (a, b, c, client, w). */
export async function coldStartPhase(ctx: BenchContext, registerLab: (lab: Lab) => void): Promise<ColdStartRecord[]> {
  return (await Promise.all(ctx.options.impls.map((impl) => coldStartsOf(ctx, impl, registerLab)))).flat();
}
