/**
 * The cloud phase (issue 9 §9): moving an Elastic IP on failover, keepalived with a
 * `notify_master` script that runs the AWS CLI against vipd's `aws` provider in `eip` mode, both
 * against the same strict EC2 fake with the same API latency (bench/ec2-endpoint.ts), at 100 ms
 * adverts with unicast peers: keepalived VRRPv3 `unicast_peer`, vipd's unicast mode with its
 * witness. Per run: fresh agents and a fresh fake, wait until a is master and the address is on
 * a's ENI, inject the fault (agent crash or graceful stop) at a random phase of the advert
 * cycle, watch the fake until the address is on b's ENI and a second more, then kill everything.
 *
 * Clocks: the fake runs in this process, so fault time, request arrival and "visible" are all
 * performance.now(). vipd's decision (the line that issues AcquireVip: "lease granted …: taking
 * the VIP" for this leased group, bench/cloud-measure.ts) is that log line's own time (pino,
 * epoch ms), put on that clock with Date.now() − performance.now() sampled at the fault (±1 ms:
 * both are whole milliseconds of the same system clock). keepalived's decision is when its
 * "Entering MASTER STATE" line reached the bench (a pipe: late by the bench's event-loop delay).
 */
import { writeFile, chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { cloudEnv, notifyMasterScript, vipdAwsProvider, type CloudTarget } from './cloud-config.js';
import { cloudTimes, parseNftPackets, parseTakingLine, relativeEvents, wallToPerf } from './cloud-measure.js';
import { CLOUD_SCENARIOS, CLOUD_SIDE_LABEL, CLOUD_SIDES, type CloudRecord, type CloudScenario, type CloudSide } from './cloud-record.js';
import type { BenchContext } from './context.js';
import { CloudEndpoint, type CloudNodeName, type CloudWorld } from './ec2-endpoint.js';
import { groupNames, SETTINGS, startImpl, type CloudHooks, type Deployment } from './impls.js';
import { signalAll, VIP, type Lab } from './lab.js';
import { nowMs, pollUntil, sleep } from './proc.js';
import { exec } from '../test/netns/lib/index.js';


const GUARD_TABLE = 'vipdbenchcloud';
/** How long to watch after the address moved: late or racing calls of either node. */
const AFTER_MOVE_MS = 1000;
const OBSERVE_MS = 10_000;

/**
 * Belt and braces on top of the lab having no route out: in a's and b's namespaces, drop and
 * count every packet to anything but loopback, the lab's 192.0.2.0/24 and IPv6 link-local
 * (neighbour discovery). The count is read after every run and must stay 0.
 */
async function installGuard(lab: Lab, node: CloudNodeName): Promise<void> {
  const h = lab.host(node);
  const file = join(lab.dir, `guard-${node}.nft`);
  await writeFile(file, [
    `table inet ${GUARD_TABLE} {`,
    '  chain output {',
    '    type filter hook output priority 0; policy accept;',
    '    ip daddr != { 127.0.0.0/8, 192.0.2.0/24 } counter drop',
    '    ip6 daddr != { ::1, fe80::/10, ff02::/16 } counter drop',
    '  }',
    '}',
    '',
  ].join('\n'));
  await exec(['ip', 'netns', 'exec', h.ns, 'nft', 'delete', 'table', 'inet', GUARD_TABLE], { check: false, timeoutMs: 5_000 });
  await exec(['ip', 'netns', 'exec', h.ns, 'nft', '-f', file], { timeoutMs: 5_000 });
  const routes = await exec(['ip', '-n', h.ns, 'route', 'show', 'default'], { timeoutMs: 5_000 });
  if (routes.stdout.trim() !== '') throw new Error(`${node}'s namespace has a default route (${routes.stdout.trim()}): the cloud phase needs a lab with no way out`);
}

async function strayPackets(lab: Lab): Promise<number> {
  let n = 0;
  for (const node of ['a', 'b'] as const) {
    const r = await exec(['ip', 'netns', 'exec', lab.host(node).ns, 'nft', 'list', 'table', 'inet', GUARD_TABLE], { timeoutMs: 5_000 });
    n += parseNftPackets(r.stdout);
  }
  return n;
}

function hooks(lab: Lab, endpoint: CloudEndpoint, world: CloudWorld): CloudHooks {
  const target = (node: CloudNodeName): CloudTarget => ({ endpoint: endpoint.endpoint(node), region: world.region, allocationId: world.allocationId, node: world.nodes[node] });
  return {
    keepalivedLines: (node) => [`notify_master ${join(lab.dir, `notify-master-${node}.sh`)}`],
    vipdProvider: (node) => vipdAwsProvider(target(node)),
    env: (node) => (node === 'a' || node === 'b' ? cloudEnv(process.env, world.nodes[node].credentials, world.region) : cloudEnv(process.env)),
  };
}

async function writeNotifyScripts(lab: Lab, endpoint: CloudEndpoint, world: CloudWorld): Promise<void> {
  for (const node of ['a', 'b'] as const) {
    const file = join(lab.dir, `notify-master-${node}.sh`);
    const target = { endpoint: endpoint.endpoint(node), region: world.region, allocationId: world.allocationId, node: world.nodes[node] };
    await writeFile(file, notifyMasterScript(target, join(lab.dir, `notify-master-${node}.log`), lab.dir));
    await chmod(file, 0o755);
    await writeFile(join(lab.dir, `notify-master-${node}.log`), '');
  }
}

/**
 * a master with the address on its ENI for a while, b backup, no request for 300 ms. keepalived
 * cannot repair a start-up race (b master for a moment, its notify_master's CLI call landing
 * after a's: keepalived #100, #950), so that fails the run at once, saying so.
 */
async function waitSteady(impl: CloudSide, d: Deployment, world: CloudWorld, timeoutMs: number): Promise<void> {
  let since: number | undefined;
  const ok = await pollUntil(() => {
    const dead = [...d.agents.values()].find((a) => !a.proc.running);
    if (dead) throw new Error(`the agent on ${dead.node} exited before the fault\n${dead.proc.tail(8)}`);
    const roles = d.agent('a').role() === 'MASTER' && d.agent('b').role() === 'BACKUP';
    const quiet = (world.events.at(-1)?.doneAt ?? 0) < performance.now() - 300;
    const lastDone = world.events.at(-1)?.doneAt ?? Infinity;
    if (impl === 'keepalived' && roles && world.owner() !== 'a' && lastDone < performance.now() - 2000) {
      const bWasMaster = d.agent('b').changes.some((c) => c.to === 'MASTER');
      throw new Error(`start-up race: a is master but the address stayed on ${world.owner() ?? 'nobody'}${bWasMaster ? ' (b was master for a moment and its notify_master call landed after a\'s)' : ''}; keepalived does not repair it`);
    }
    if (!(roles && world.owner() === 'a' && quiet)) {
      since = undefined;
      return false;
    }
    since ??= nowMs();
    // At least one advert interval and a bit of a as master, so b has heard it.
    return nowMs() - since >= 300;
  }, timeoutMs, 25);
  if (!ok) {
    const tails = [...d.agents.values()].map((a) => a.proc.tail(8)).join('\n');
    throw new Error(`not steady within ${Math.round(timeoutMs / 1000)} s (a ${d.agent('a').role() ?? '?'}, b ${d.agent('b').role() ?? '?'}, address on ${world.owner() ?? 'nobody'}, ${world.events.length} requests)\n${tails}`);
  }
}

async function notifyLogTail(lab: Lab, node: CloudNodeName): Promise<string> {
  const text = await readFile(join(lab.dir, `notify-master-${node}.log`), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-6).map((l) => `  notify ${node}: ${l}`).join('\n');
}

export async function cloudRun(ctx: BenchContext, lab: Lab, endpoint: CloudEndpoint, impl: CloudSide, scenario: CloudScenario, run: number, strayBefore: number): Promise<CloudRecord> {
  const latencyMs = ctx.options.cloudLatencyMs;
  const base = { type: 'cloud' as const, impl, scenario, run, at: new Date().toISOString(), latencyMs };
  const setting = SETTINGS['100ms'];
  let d: Deployment | undefined;
  try {
    await lab.reset([VIP]);
    const world = await endpoint.newWorld(latencyMs);
    if (impl === 'keepalived') await writeNotifyScripts(lab, endpoint, world);
    const started = nowMs();
    d = await startImpl(impl, { lab, setting, groups: 1, vipdArgv: ctx.vipdArgv, lifetimeMs: 120_000, cloud: hooks(lab, endpoint, world), ...(ctx.pkiDir ? { pkiDir: ctx.pkiDir } : {}) });
    await waitSteady(impl, d, world, 40_000);
    const readyMs = nowMs() - started;
    await sleep(Math.random() * setting.advertMs);

    const a = d.agent('a');
    const pids = scenario === 'agent-crash' ? await a.pids() : [];
    // One sample of each clock at the fault: hrtime (the agents' line times) and the wall clock (pino's).
    const hrMinusPerf = nowMs() - performance.now();
    const wallMinusPerf = Date.now() - performance.now();
    // The bench's own event-loop delay while it watches: how late it may have read the fake's arrival times.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const faultAt = performance.now();
    if (scenario === 'agent-crash') a.crash(pids);
    else a.terminate();

    const moved = await pollUntil(() => world.owner() === 'b', OBSERVE_MS, 5);
    if (moved) await sleep(AFTER_MOVE_MS);
    loop.disable();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const benchLoopDelayMs = { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) };
    const faultHr = faultAt + hrMinusPerf;
    const b = d.agent('b');
    const change = b.changes.find((c) => c.t >= faultHr - 5 && c.to === 'MASTER');
    const lineAt = (t: number) => t - hrMinusPerf;
    const masterAt = change === undefined ? undefined : change.wallMs !== undefined ? wallToPerf(change.wallMs, wallMinusPerf) : lineAt(change.t);
    // A leased vipd group issues AcquireVip with "lease granted …: taking the VIP", after the role change.
    const group = groupNames(1)[0] as string;
    const takingLine = b.proc.lines.find((l) => l.t >= faultHr - 5 && parseTakingLine(l.text, group));
    const taking = takingLine ? parseTakingLine(takingLine.text, group) : undefined;
    let decisionAt: number | undefined;
    let decision: CloudRecord['decision'];
    if (taking && takingLine) {
      decisionAt = wallToPerf(taking.wallMs, wallMinusPerf);
      decision = { source: 'log-time', lineLagMs: Math.round((lineAt(takingLine.t) - decisionAt) * 100) / 100, text: taking.msg };
    } else if (change) {
      decisionAt = masterAt;
      decision = change.wallMs !== undefined
        ? { source: 'log-time', lineLagMs: Math.round((lineAt(change.t) - (masterAt as number)) * 100) / 100, text: change.text }
        : { source: 'line-arrival', text: change.text };
    }
    const times = cloudTimes(world.events, { faultAt, newMaster: 'b', ...(masterAt !== undefined ? { masterAt } : {}), ...(decisionAt !== undefined ? { decisionAt } : {}) });
    const stray = (await strayPackets(lab)) - strayBefore;
    const problems = [
      ...(moved ? [] : [`the address did not reach b within ${OBSERVE_MS} ms (on ${world.owner() ?? 'nobody'})`]),
      ...(moved && times.finalOwner !== 'b' ? [`the address ended on ${times.finalOwner ?? 'nobody'}, not b`] : []),
      ...(stray > 0 ? [`${stray} packets to addresses outside the lab`] : []),
    ];
    const tail = problems.length > 0 && impl === 'keepalived' ? `\n${await notifyLogTail(lab, 'b')}` : problems.length > 0 ? `\n${d.agent('b').proc.tail(8)}` : '';
    return {
      ...base,
      readyMs: Math.round(readyMs),
      times,
      ...(decision ? { decision } : {}),
      connections: endpoint.connections(),
      connectionsAfterFault: endpoint.connections(faultAt),
      strayPackets: stray,
      benchLoopDelayMs,
      events: relativeEvents(world.events, faultAt),
      ...(problems.length > 0 ? { error: `${problems.join('; ')}${tail}` } : {}),
    };
  } catch (err) {
    const tail = impl === 'keepalived' ? `\n${await notifyLogTail(lab, 'a')}\n${await notifyLogTail(lab, 'b')}` : '';
    return { ...base, error: `${err instanceof Error ? err.message : String(err)}${tail}` };
  } finally {
    await d?.kill();
    // Whatever the agents left (a notify script's CLI still running): the cloud lab runs nothing else.
    for (const node of ['a', 'b', 'w'] as const) signalAll(await lab.pids(node), 'SIGKILL');
  }
}

/** Every run of both scenarios, alternating the sides run by run. */
export async function cloudPhase(ctx: BenchContext, lab: Lab): Promise<CloudRecord[]> {
  const sides = CLOUD_SIDES.filter((s) => ctx.options.impls.includes(s));
  const records: CloudRecord[] = [];
  if (sides.length === 0) return records;
  ctx.progress.set('cloud: EC2 endpoints in the namespaces, egress guard');
  for (const node of ['a', 'b'] as const) await installGuard(lab, node);
  const endpoint = await CloudEndpoint.open({ a: lab.host('a').ns, b: lab.host('b').ns });
  try {
    const total = CLOUD_SCENARIOS.length * ctx.options.runs * sides.length;
    for (const scenario of CLOUD_SCENARIOS) {
      for (let run = 1; run <= ctx.options.runs; run++) {
        const order = sides.map((_, i) => sides[(i + run - 1) % sides.length] as CloudSide);
        for (const impl of order) {
          ctx.progress.set(`cloud ${records.length + 1}/${total}: ${scenario}, ${CLOUD_SIDE_LABEL[impl]}, run ${run}/${ctx.options.runs}`);
          const before = await strayPackets(lab);
          const record = await cloudRun(ctx, lab, endpoint, impl, scenario, run, before);
          records.push(record);
          ctx.results.write(record);
          const t = record.times;
          const summary = record.error
            ? `ERROR ${record.error.split('\n')[0]}`
            : `fault→AssociateAddress ${t?.firstAssociateMs?.toFixed(0) ?? '-'} ms, →visible ${t?.visibleMs?.toFixed(0) ?? '-'} ms, decision→request ${t?.decisionToRequestMs?.toFixed(1) ?? '-'} ms`;
          ctx.progress.log(`  cloud ${scenario.padEnd(13)} ${impl.padEnd(12)} run ${run}: ${summary}`);
        }
      }
    }
  } finally {
    await endpoint.close();
  }
  return records;
}
