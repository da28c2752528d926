/**
 * Runs the EC2 fake as a process, for the demo and the bench (src/ never imports test/, so they
 * spawn this):
 *
 *   node --import tsx test/fakes/ec2/serve.ts [--world FILE.json] [--instances N] [--latency MS]
 *        [--seed N] [--region R] [--host ADDR] [--log-requests]
 *
 * --host puts the API and IMDS servers on another address than 127.0.0.1 (a documentation
 * address on a veth, so agents in a namespace reach it; listen.ts); the control URL stays on
 * loopback. It prints one JSON line on stdout — endpoint, region, credentials, the IMDS
 * endpoint of each instance, the ids it built and a `control` URL — then serves until SIGTERM
 * or SIGINT (exit 0).
 * With --log-requests every API request is one more JSON line {"event":"request",…, "wallMs",
 * "doneWallMs"} (arrival and settled times in epoch milliseconds, comparable across processes;
 * a change is visible from doneWallMs on). The control URL takes POST /control
 * {"op": "inject" | "clearFaults" | "setLatency" | "deny" | "allow" | "moveAddress" |
 * "moveSecondaryIp" | "setRoute" | "addressOwner" | "secondaryIpOwner" | "routeTarget", …}
 * (the result as JSON, null for none; 400 {error} when refused) and answers GET /state (who
 * holds what) and GET /requests. When its stdin is a pipe it also stops when that ends (a
 * parent that spawned it and died leaves no orphan).
 */
import { fstatSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startEc2Fake, type Ec2Fake, type RequestRecord } from './index.js';
import { listenHttp } from './listen.js';
import { buildWorld, defaultWorld, loadWorldFile, type BuiltWorld } from './world-file.js';

const wallMs = (r: RequestRecord): number => performance.timeOrigin + r.at;
const doneWallMs = (r: RequestRecord): number => performance.timeOrigin + r.doneAt;

function state(fake: Ec2Fake, built: BuiltWorld): unknown {
  return {
    addresses: Object.fromEntries(built.addresses.map((a) => [a.allocationId, fake.addressOwner(a.allocationId) ?? null])),
    enis: Object.fromEntries(built.instances.flatMap((i) => i.enis.map((e) => [e.eniId, { instanceId: i.instanceId }]))),
    routeTables: built.routeTables.map((rt) => rt.routeTableId),
  };
}

type Op = { op: string; [k: string]: unknown };

function control(fake: Ec2Fake, body: Op): unknown {
  const s = (k: string): string => {
    const v = body[k];
    if (typeof v !== 'string') throw new Error(`control ${body.op}: field '${k}' must be a string`);
    return v;
  };
  const optS = (k: string): string | undefined => (body[k] === undefined || body[k] === null ? undefined : s(k));
  switch (body.op) {
    case 'inject': fake.inject(body.fault as Parameters<Ec2Fake['inject']>[0]); return { ok: true };
    case 'clearFaults': fake.clearFaults(); return { ok: true };
    case 'setLatency': fake.setLatency(Number(body.ms)); return { ok: true };
    case 'deny': fake.deny(s('action'), optS('resource') !== undefined ? { resource: s('resource') } : undefined); return { ok: true };
    case 'allow': fake.allow(s('action')); return { ok: true };
    case 'moveAddress': fake.moveAddress(s('allocationId'), optS('eniId'), optS('privateIp')); return { ok: true };
    case 'moveSecondaryIp': fake.moveSecondaryIp(s('ip'), optS('eniId')); return { ok: true };
    case 'setRoute': fake.setRoute(s('routeTableId'), s('cidr'), optS('eniId')); return { ok: true };
    case 'addressOwner': return fake.addressOwner(s('allocationId')) ?? null;
    case 'routeTarget': return fake.routeTarget(s('routeTableId'), s('cidr')) ?? null;
    case 'secondaryIpOwner': return fake.secondaryIpOwner(s('ip')) ?? null;
    default: throw new Error(`control: unknown op '${String(body.op)}'`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      world: { type: 'string' },
      instances: { type: 'string' },
      latency: { type: 'string' },
      seed: { type: 'string' },
      region: { type: 'string' },
      host: { type: 'string' },
      'log-requests': { type: 'boolean' },
    },
    strict: true,
  });
  const num = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${name}: '${v}' is not a non-negative number`);
    return n;
  };
  const world = values.world !== undefined ? loadWorldFile(values.world) : defaultWorld(num('instances', values.instances) ?? 2);
  const latency = num('latency', values.latency) ?? world.latencyMs;
  const seed = num('seed', values.seed) ?? world.seed;
  const region = values.region ?? world.region;
  const fake = await startEc2Fake({
    ...(latency !== undefined ? { apiLatencyMs: latency } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(world.credentials ? { credentials: world.credentials } : {}),
    ...(world.implicitReassociation ? { implicitReassociation: world.implicitReassociation } : {}),
  });
  const built = buildWorld(fake, world, values.world ?? 'default world');
  const imds: Record<string, string> = {};
  for (const [i, inst] of built.instances.entries()) {
    if (world.instances[i]?.imds === false) continue;
    imds[inst.instanceId] = (await fake.imds(inst.instanceId)).endpoint;
  }
  if (values['log-requests']) {
    fake.on('request', (r) => {
      process.stdout.write(`${JSON.stringify({ event: 'request', action: r.action, status: r.status, error: r.error, wallMs: wallMs(r), doneWallMs: doneWallMs(r), params: r.params })}\n`);
    });
  }

  const { server: ctl, url: controlUrl } = await listenHttp((req: IncomingMessage, res: ServerResponse) => {
    const answer = (status: number, v: unknown): void => {
      const text = JSON.stringify(v);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/state') return answer(200, state(fake, built));
    if (req.method === 'GET' && req.url === '/requests') return answer(200, fake.requests.map((r) => ({ ...r, wallMs: wallMs(r), doneWallMs: doneWallMs(r) })));
    if (req.method !== 'POST' || req.url !== '/control') return answer(404, { error: 'GET /state, GET /requests or POST /control' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        answer(200, control(fake, JSON.parse(Buffer.concat(chunks).toString('utf8')) as Op));
      } catch (e) {
        answer(400, { error: (e as Error).message });
      }
    });
  });

  process.stdout.write(`${JSON.stringify({
    endpoint: fake.endpoint,
    region: fake.region,
    credentials: fake.credentials,
    roleCredentials: fake.roleCredentials,
    imds,
    control: controlUrl,
    ...built,
  })}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    ctl.closeAllConnections();
    ctl.close();
    void fake.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  // A parent that spawned us with a stdin pipe and died (or closed it) stops us too: no orphans.
  // Only a pipe (node's 'pipe' stdio is a socket pair): /dev/null or a terminal changes nothing.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`ec2 fake: ${(e as Error).message}\n`);
  process.exit(2);
});
