/**
 * `vipd demo`: three real `vipd run` processes on 127.0.0.1 talking gRPC with mutual TLS and
 * signed adverts (throwaway CA, certificates and key in a temporary directory), noop provider,
 * no root, no config. It elects, kills the master with SIGKILL, shows the takeover and its
 * reason, brings the old master back (preemption) and runs until Ctrl-C, when every node stops
 * gracefully (the master resigns with priority 0) and the directory is removed.
 */
import { clock, demoSteps } from './demo-steps.js';
import { LocalCluster, type LogEntry } from './local-cluster.js';

export interface DemoOptions {
  /** Time from the first election to the crash, and from the crash to the restart. */
  readonly phaseMs: number;
  /** Stop by itself after this long (0 = run until the signal aborts). */
  readonly durationMs: number;
  /** Where the narrative goes. */
  readonly write: (line: string) => void;
}

const NODES = [
  { id: 'node-a', priority: 100 },
  { id: 'node-b', priority: 150 },
  { id: 'node-c', priority: 200 },
];

/** Lines of a node's log worth showing in the demo. */
const INTERESTING = /^[A-Z]+ -> [A-Z]+ \(|^member .* -> (suspect|dead|alive|left)|^noop: would|^probe-confirmed|^serving peers|^quorum|insecure/;

export async function runDemo(opts: DemoOptions, outer: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const signal = stop.signal;
  if (outer.aborted) return;
  outer.addEventListener('abort', () => stop.abort(), { once: true });
  const stopAfter = opts.durationMs > 0 ? setTimeout(() => stop.abort(), opts.durationMs) : undefined;
  const say = (msg: string) => opts.write(`${clock()} demo    » ${msg}`);
  const c = new LocalCluster(
    NODES.map((n) => ({ ...n, peers: NODES.filter((m) => m.id !== n.id).map((m) => m.id), quorum: 'majority' as const })),
    'demo',
  );
  c.onLine = (e: LogEntry) => {
    if (INTERESTING.test(e.msg) || e.msg.startsWith('stderr:')) opts.write(`${clock()} ${e.node}  ${e.msg}`);
  };
  const { pause, until } = demoSteps(signal);

  try {
    await c.prepare();
    say(`3 vipd processes on 127.0.0.1 (${NODES.map((n) => `${n.id} priority ${n.priority}`).join(', ')}), gRPC with mutual TLS ` +
      `and signed adverts, adverts every 100 ms, quorum majority, noop provider. Certificates in ${c.dir}. Ctrl-C stops.`);
    c.startAll();
    if (!(await until(() => c.masters().length === 1 && c.roles().size === 3, 30_000))) return;
    await pause(1000); // let the cluster settle before breaking it
    const victim = c.masters()[0];
    if (!victim || signal.aborted) return;
    say(`${victim} is master. In ${opts.phaseMs / 1000} s it is killed with SIGKILL.`);
    await pause(opts.phaseMs);
    if (signal.aborted) return;
    const killedAt = Date.now();
    c.signal(victim, 'SIGKILL');
    say(`killed ${victim} (SIGKILL: no priority-0 advert, nothing released)`);
    if (!(await until(() => c.masters().length === 1 && c.masters()[0] !== victim && c.roles().size === 2, 10_000))) return;
    const winner = c.masters()[0] ?? '?';
    const change = c.change(winner, 'MASTER', killedAt);
    say(`failover: ${winner} took over ${(change?.t ?? Date.now()) - killedAt} ms after the kill. In ${opts.phaseMs / 1000} s ${victim} comes back.`);
    await pause(opts.phaseMs);
    if (signal.aborted) return;
    c.start(victim);
    say(`${victim} restarted; with the highest priority it preempts`);
    if (!(await until(() => c.masters().join() === victim && c.roles().size === 3, 30_000))) return;
    say(`${victim} is master again. Running until Ctrl-C (then every node stops gracefully).`);
    await pause(2 ** 31 - 1);
  } finally {
    if (stopAfter) clearTimeout(stopAfter);
    say('stopping all nodes (SIGTERM: the master resigns with priority 0)');
    await c.stopAll();
    c.onLine = undefined;
    await c.destroy();
    say('demo stopped');
  }
}
