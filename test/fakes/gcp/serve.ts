/**
 * The GCP fake as a process, for the demo and process tests (src/ never imports test/, so they
 * spawn this):
 *
 *   node --import tsx test/fakes/gcp/serve.ts --world FILE.json [--latency MS]
 *        [--operation-delay MS] [--seed N] [--log-requests]
 *
 * FILE.json: { "project"?: string, "instances": NewInstance[], "addresses"?: [{ name, region?, address }] }
 * (NewInstance as in index.ts). It starts the Compute fake and one metadata server per instance,
 * prints one JSON line {"endpoint","project","metadata":{"<instance>":"127.0.0.1:PORT"},"control"}
 * and serves until SIGTERM/SIGINT (exit 0), or until its stdin pipe closes (a parent that
 * spawned it and died leaves no orphan). With --log-requests every Compute request is one more
 * JSON line {"event":"request",…,"wallMs"} (epoch milliseconds, comparable across processes).
 * The control URL takes POST /control {"op": …} (see control() below; the result as JSON, null
 * for none, 400 {error} when refused) and answers GET /state and GET /requests (each request's
 * record, with its parsed body and wallMs).
 */
import { fstatSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { startGcpFake, type Fault, type GcpFake, type NewInstance, type RequestRecord } from './index.js';

interface WorldFile {
  project?: string;
  instances: NewInstance[];
  addresses?: { name: string; region?: string; address: string }[];
}

function fail(message: string): never {
  process.stderr.write(`gcp fake: ${message}\n`);
  process.exit(2);
}

const wallMs = (r: RequestRecord): number => performance.timeOrigin + r.at;

type Op = { op: string; [k: string]: unknown };

function control(fake: GcpFake, body: Op): unknown {
  const s = (k: string): string => {
    const v = body[k];
    if (typeof v !== 'string') throw new Error(`control ${body.op}: field '${k}' must be a string`);
    return v;
  };
  const optS = (k: string): string | undefined => (body[k] === undefined || body[k] === null ? undefined : s(k));
  // Field names of the fake's API, or the shorter ones the e2e client uses (range, instance, nic).
  const range = (): string => s(body.range !== undefined ? 'range' : 'ipCidrRange');
  const to = (): string | undefined => optS(body.instance !== undefined ? 'instance' : 'toInstance');
  const toNic = (): string | undefined => optS(body.nic !== undefined ? 'nic' : 'toNic');
  const ok = { ok: true };
  switch (body.op) {
    case 'inject':
      fake.inject(body.fault as Fault);
      return ok;
    case 'clearFaults':
      fake.clearFaults();
      return ok;
    case 'setLatency':
      fake.setLatency(Number(body.ms));
      return ok;
    case 'deny':
      fake.deny(s('permission'));
      return ok;
    case 'allow':
      fake.allow(s('permission'));
      return ok;
    case 'revokeTokens':
      fake.revokeTokens();
      return ok;
    case 'settleOperations':
      fake.settleOperations();
      return ok;
    case 'moveAlias':
      fake.moveAlias(range(), to(), toNic());
      return ok;
    case 'moveExternal':
      fake.moveExternal(s('address'), to(), toNic());
      return ok;
    case 'deleteRoute':
      fake.deleteRoute(s('name'));
      return ok;
    case 'aliasOwner':
      return fake.aliasOwner(range()) ?? null;
    case 'externalOwner':
      return fake.externalOwner(s('address')) ?? null;
    case 'routes':
      return fake.routes();
    case 'instanceMetadata':
      return fake.instanceMetadata(s('instance'));
    default:
      throw new Error(`control: unknown op '${String(body.op)}'`);
  }
}

function state(fake: GcpFake, world: WorldFile): unknown {
  return {
    instances: Object.fromEntries(
      world.instances.map((i) => [
        i.name,
        {
          nics: Object.fromEntries(i.nics.map((n, idx) => [n.name ?? `nic${idx}`, fake.nic(i.name, n.name ?? `nic${idx}`)])),
          metadata: fake.instanceMetadata(i.name),
        },
      ]),
    ),
    addresses: Object.fromEntries((world.addresses ?? []).map((a) => [a.address, fake.externalOwner(a.address) ?? null])),
    routes: fake.routes(),
  };
}

const { values } = parseArgs({
  options: {
    world: { type: 'string' },
    latency: { type: 'string', default: '0' },
    'operation-delay': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
    'log-requests': { type: 'boolean' },
  },
  strict: true,
});
if (!values.world) fail('--world FILE.json is required');
const num = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a number ≥ 0, not ${JSON.stringify(v)}`);
  return n;
};

let world: WorldFile;
try {
  world = JSON.parse(readFileSync(values.world, 'utf8')) as WorldFile;
} catch (e) {
  fail(`cannot read ${values.world}: ${(e as Error).message}`);
}
if (!Array.isArray(world.instances) || world.instances.length === 0) fail(`${values.world}: "instances" must be a non-empty array`);

const fake = await startGcpFake({
  apiLatencyMs: num('latency', values.latency),
  operationDelayMs: num('operation-delay', values['operation-delay']),
  seed: num('seed', values.seed),
  ...(world.project !== undefined ? { project: world.project } : {}),
});
const metadata: Record<string, string> = {};
try {
  for (const [n, i] of world.instances.entries()) {
    if (typeof i?.name !== 'string' || !Array.isArray(i.nics)) throw new Error(`instances[${n}] needs "name" (string) and "nics" (array)`);
    fake.addInstance(i);
  }
  for (const a of world.addresses ?? []) fake.addAddress(a);
  for (const i of world.instances) metadata[i.name] = (await fake.metadata(i.name)).host;
} catch (e) {
  await fake.close();
  fail(`${values.world}: ${(e as Error).message}`);
}
if (values['log-requests']) {
  fake.on('request', (r) => {
    process.stdout.write(`${JSON.stringify({ event: 'request', ...r, wallMs: wallMs(r) })}\n`);
  });
}

const ctl = createServer((req, res) => {
  const answer = (status: number, v: unknown): void => {
    const text = JSON.stringify(v);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  if (req.method === 'GET' && req.url === '/state') return answer(200, state(fake, world));
  if (req.method === 'GET' && req.url === '/requests') return answer(200, fake.requests.map((r) => ({ ...r, wallMs: wallMs(r) })));
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
await new Promise<void>((resolve) => ctl.listen(0, '127.0.0.1', () => resolve()));
const controlUrl = `http://127.0.0.1:${(ctl.address() as AddressInfo).port}`;
process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, project: fake.project, metadata, control: controlUrl })}\n`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  ctl.closeAllConnections();
  ctl.close();
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
// Only a pipe (node's 'pipe' stdio is a socket pair) ends with its parent: /dev/null or a terminal changes nothing.
const stdin = fstatSync(0);
if (stdin.isFIFO() || stdin.isSocket()) {
  process.stdin.on('end', stop);
  process.stdin.on('error', stop);
  process.stdin.resume();
}
