/**
 * `vipd demo --cloud aws|gcp`: the repository's local cloud fake (EC2 with IMDSv2, or Compute
 * Engine with metadata servers) on 127.0.0.1, two vipd members each pretending to be one of its
 * instances, and a witness (real processes, gRPC with mutual TLS, quorum majority), with the AWS
 * `eip` (GCP `alias-ip`) provider. It shows from the fake's truth which instance holds the
 * Elastic IP (alias IP range), kills the master with SIGKILL and shows the move with its time,
 * restarts the killed node and shows the preemption moving it back, then runs until Ctrl-C. No
 * account, no root; needs a source checkout (the fakes live under test/fakes).
 */
import { CloudCluster } from './cloud-cluster.js';
import { demoMembers, demoMode, type DemoCloud } from './cloud-demo-modes.js';
import type { DemoOptions } from './demo.js';
import { clock, demoSteps } from './demo-steps.js';
import type { LogEntry } from './local-cluster.js';

/** Node log lines worth showing: role changes with their reason, leases, what the provider did, trouble. */
const INTERESTING = /^[A-Z]+ -> [A-Z]+ \(|^member .* -> (dead|alive)|^quorum|^lease (granted|expired)|^(aws|gcp):[a-z-]+: (took|released)|fault|failed|fence/i;

/** Resolves with the exit code: 0 after Ctrl-C (or --duration), 1 when the demo could not run. */
/** Resolves with the exit code: 0 after Ctrl-C (or --duration), 1 when the demo could not run. */
export async function runCloudDemo(cloud: DemoCloud, opts: DemoOptions, outer: AbortSignal): Promise<number> {
  const stop = new AbortController();
  const signal = stop.signal;
  if (outer.aborted) return 0;
  outer.addEventListener('abort', () => stop.abort(), { once: true });
  const stopAfter = opts.durationMs > 0 ? setTimeout(() => stop.abort(), opts.durationMs) : undefined;
  const say = (msg: string) => opts.write(`${clock()} demo    » ${msg}`);
  const mode = demoMode(cloud);
  const members = demoMembers(mode);
  const pair = new CloudCluster(mode, members, { clusterId: `demo-${cloud}`, reassertInterval: '2s', detached: true });
  const { pause, until } = demoSteps(signal);
  const fakeName = cloud === 'aws' ? 'fake EC2' : 'fake Compute Engine';
  let holders: string[] = [];
  let watching = true;

  /** Polls the fake's truth and prints every change of holder. */
  const watch = async () => {
    let shown = '';
    while (watching && !signal.aborted) {
      try {
        holders = await pair.holders();
        const now = holders.length === 0 ? 'on no instance' : `on ${holders.map((id) => pair.describe(members.find((m) => m.id === id)?.instance ?? id)).join(' and ')}`;
        if (now !== shown) say(`${fakeName}: the ${mode.resource} is ${now}`);
        shown = now;
      } catch (err) {
        if (watching && !signal.aborted) say(`${fakeName}: cannot read its state: ${(err as Error).message}`);
      }
      await pause(50);
    }
  };
  const holdsOnly = (id: string) => holders.length === 1 && holders[0] === id;
  let watcher: Promise<void> | undefined;

  /** The narrative; returns early when the demo stops or a step does not happen in time. */
  const story = async (): Promise<void> => {
    const [first, second] = members;
    if (!first || !second) return;
    const { fake, cluster } = await pair.prepare();
    cluster.onLine = (e: LogEntry) => {
      if (INTERESTING.test(e.msg) || e.msg.startsWith('stderr:')) opts.write(`${clock()} ${e.node.padEnd(7)} ${e.msg}`);
    };
    say(`${fakeName} on ${fake.endpoint} (strict: ${cloud === 'aws' ? 'SigV4-checked requests, IMDSv2' : 'OAuth tokens from its metadata servers'}); ` +
      `${members.map((m) => `${m.id} is instance ${m.instance} (priority ${m.priority})`).join(', ')}, plus a witness; ` +
      `gRPC with mutual TLS, quorum majority, provider ${mode.name}. Ctrl-C stops.`);
    watcher = watch();
    cluster.startAll();
    if (!(await until(() => cluster.masters().join() === first.id && holdsOnly(first.id), 60_000))) return;
    await pause(1000); // let the cluster settle before breaking it
    if (signal.aborted) return;
    say(`${first.id} is master and holds the ${mode.resource}. In ${opts.phaseMs / 1000} s it is killed with SIGKILL.`);
    await pause(opts.phaseMs);
    if (signal.aborted) return;
    const killedAt = Date.now();
    cluster.signal(first.id, 'SIGKILL');
    say(`killed ${first.id} (SIGKILL: nothing released; the ${mode.resource} stays on ${first.instance} until someone moves it)`);
    if (!(await until(() => holdsOnly(second.id), 30_000))) return;
    say(`moved: the ${mode.resource} is on ${pair.describe(second.instance)} ${Date.now() - killedAt} ms after the kill. In ${opts.phaseMs / 1000} s ${first.id} comes back.`);
    await pause(opts.phaseMs);
    if (signal.aborted) return;
    const restartedAt = Date.now();
    cluster.start(first.id);
    say(`${first.id} restarted; with the higher priority it preempts`);
    if (!(await until(() => holdsOnly(first.id) && cluster.masters().join() === first.id, 60_000))) return;
    say(`moved back: the ${mode.resource} is on ${pair.describe(first.instance)} again ${Date.now() - restartedAt} ms after the restart. Running until Ctrl-C.`);
    await pause(2 ** 31 - 1);
  };

  let code = 0;
  try {
    await story();
  } catch (err) {
    say(`cannot run the ${cloud} demo: ${(err as Error).message}`);
    code = 1;
  } finally {
    if (stopAfter) clearTimeout(stopAfter);
    say('stopping all nodes (SIGTERM: the master resigns with priority 0), then the fake');
    await pair.cluster?.stopAll();
    watching = false;
    await watcher;
    const after = pair.fake?.running() ? await pair.holders().catch(() => undefined) : undefined;
    if (after) say(`${fakeName} after the stop: the ${mode.resource} is on ${after.length === 0 ? 'no instance (the master released it)' : after.join(', ')}`);
    if (pair.cluster) pair.cluster.onLine = undefined;
    await pair.destroy();
    say('demo stopped');
  }
  return code;
}
