/**
 * `vipd demo`: a 3-node cluster in one process on an in-memory loopback network, with the noop
 * provider, no root and no config. It elects, crashes the master (no resignation, as SIGKILL),
 * shows the failover, brings the old master back (preemption) and runs until Ctrl-C, when
 * every node stops gracefully. The nodes run exactly the runtime a real node runs.
 */
import { MemoryHub, fixedDelay } from '../adapters/memory-transport.js';
import { systemClock } from '../adapters/system-clock.js';
import { currentMasterDownIntervalMs } from '../core/election/step.js';
import type { ElectionParams } from '../core/election/types.js';
import type { Logger } from '../ports/logger.js';
import type { RoleChange } from '../runtime/instance-runner.js';
import { VipdNode } from '../runtime/node.js';
import { NoopProvider } from '../../providers/noop/index.js';

export interface DemoOptions {
  readonly nodes: number;
  /** Time from the first election to the crash, and from the crash to the restart. */
  readonly phaseMs: number;
  readonly advertIntervalCs: number;
  /** Stop by itself after this long (0 = run until the signal aborts). */
  readonly durationMs: number;
  readonly logger: Logger;
}

const GROUP = 'demo-vip';
const VIP = '192.0.2.50/24'; // documentation range; the noop provider never binds it

interface DemoNode {
  id: string;
  priority: number;
  node: VipdNode;
}

export async function runDemo(opts: DemoOptions, outer: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const signal = stop.signal;
  if (outer.aborted) return;
  outer.addEventListener('abort', () => stop.abort(), { once: true });
  const stopAfter = opts.durationMs > 0 ? setTimeout(() => stop.abort(), opts.durationMs) : undefined;
  const log = opts.logger.child({ node: 'demo' });
  const hub = new MemoryHub(systemClock, fixedDelay(1));
  let onChange: (c: RoleChange) => void = () => undefined;

  const make = (i: number): DemoNode => {
    const id = `node-${String.fromCharCode(97 + i)}`;
    const priority = 100 + 50 * i;
    const params: ElectionParams = {
      group: GROUP, vrid: 51, self: { nodeId: id, address: `127.0.0.${11 + i}` }, basePriority: priority,
      advertIntervalCs: opts.advertIntervalCs, version: 3, preempt: true, preemptDelayMs: 0,
    };
    const logger = opts.logger.child({ node: id });
    const node = new VipdNode({
      nodeId: id,
      groups: [{ params, provider: new NoopProvider([VIP], logger.child({ group: GROUP }), systemClock) }],
      transport: hub.connect(id),
      clock: systemClock,
      logger,
      onRoleChange: (c) => onChange(c),
    });
    return { id, priority, node };
  };

  const nodes = Array.from({ length: opts.nodes }, (_, i) => make(i));
  const masterOf = () => nodes.find((n) => n.node.runners.get(GROUP)?.state.role === 'Master');
  const nextMaster = (after: number) =>
    new Promise<RoleChange | undefined>((resolve) => {
      const done = (c?: RoleChange) => { signal.removeEventListener('abort', abort); onChange = () => undefined; resolve(c); };
      const abort = () => done();
      onChange = (c) => { if (c.to === 'Master' && c.at >= after) done(c); };
      signal.addEventListener('abort', abort, { once: true });
    });
  /** Waits `ms`, or until stopped when `ms` is undefined. */
  const pause = (ms?: number) =>
    new Promise<void>((resolve) => {
      const t = ms === undefined ? undefined : setTimeout(resolve, ms);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });

  log.info({}, `» ${nodes.length} nodes (${nodes.map((n) => `${n.id} priority ${n.priority}`).join(', ')}), ` +
    `adverts every ${opts.advertIntervalCs * 10} ms, noop provider for ${VIP}. Ctrl-C stops.`);
  try {
    const elected = nextMaster(0);
    for (const n of nodes) await n.node.start(signal);
    const first = await elected;
    if (!first || signal.aborted) return;
    log.info({}, `» ${first.nodeId} is master (highest priority). In ${opts.phaseMs / 1000} s it crashes.`);

    await pause(opts.phaseMs);
    const victim = masterOf();
    if (!victim || signal.aborted) return;
    const backupMdi = Math.max(...nodes.filter((n) => n !== victim).map((n) => currentMasterDownIntervalMs(n.node.runners.get(GROUP)!.state)));
    const crashedAt = systemClock.now();
    const failover = nextMaster(crashedAt);
    await victim.node.halt();
    log.info({}, `» crashed ${victim.id} (as with SIGKILL: no priority-0 advert, nothing released)`);
    const taken = await failover;
    if (!taken || signal.aborted) return;
    log.info({}, `» failover: ${taken.nodeId} took over ${Math.round(taken.at - crashedAt)} ms after the crash ` +
      `(Master_Down_Interval ≤ ${Math.round(backupMdi)} ms). In ${opts.phaseMs / 1000} s ${victim.id} comes back.`);

    await pause(opts.phaseMs);
    if (signal.aborted) return;
    const back = make(nodes.indexOf(victim));
    nodes[nodes.indexOf(victim)] = back;
    const returned = nextMaster(systemClock.now());
    await back.node.start(signal);
    log.info({}, `» ${back.id} restarted with priority ${back.priority}; it preempts the lower-priority master`);
    const pre = await returned;
    if (!pre || signal.aborted) return;
    log.info({}, `» ${pre.nodeId} is master again. Running until Ctrl-C (graceful stop: the master resigns with priority 0).`);
    await pause();
  } finally {
    if (stopAfter) clearTimeout(stopAfter);
    onChange = () => undefined;
    log.info({}, '» stopping all nodes');
    await Promise.all(nodes.map((n) => n.node.stop()));
    log.info({}, '» demo stopped');
  }
}
