/**
 * The GCP fake as a process, for the demo and process tests (src/ never imports test/, so they
 * spawn this):
 *
 *   node --import tsx test/fakes/gcp/serve.ts --world FILE.json [--latency MS]
 *        [--operation-delay MS] [--seed N] [--host ADDR] [--log-requests]
 *
 * --host puts the API, metadata and control servers on another address than 127.0.0.1 (a
 * documentation address a test put on a veth, so agents in a namespace reach it).
 *
 * FILE.json: { "project"?: string, "instances": NewInstance[], "addresses"?: [{ name, region?, address }] }
 * (NewInstance as in index.ts). It starts the Compute fake and one metadata server per instance,
 * prints one JSON line {"endpoint","project","metadata":{"<instance>":"HOST:PORT"},"control"}
 * and serves until SIGTERM/SIGINT (exit 0), or until its stdin pipe closes (a parent that
 * spawned it and died leaves no orphan). With --log-requests every Compute request is one more
 * JSON line {"event":"request",…,"wallMs"} (epoch milliseconds, comparable across processes).
 * The control URL takes POST /control {"op": …} (see control() below; the result as JSON, null
 * for none, 400 {error} when refused) and answers GET /state and GET /requests (each request's
 * record, with its parsed body and wallMs).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { controlFields, startControlServer, stopOnSignalsAndStdin, type ControlOp } from '../control-server.js';
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

function control(fake: GcpFake, body: ControlOp): unknown {
  const { s, optS } = controlFields(body);
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
    host: { type: 'string', default: '127.0.0.1' },
  },
  strict: true,
});
if (!values.world) fail('--world FILE.json is required');
const host = values.host;
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
  host,
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

const { server: ctl, url: controlUrl } = await startControlServer(
  {
    state: () => state(fake, world),
    requests: () => fake.requests.map((r) => ({ ...r, wallMs: wallMs(r) })),
    control: (op) => control(fake, op),
  },
  host,
);
process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, project: fake.project, metadata, control: controlUrl })}\n`);

stopOnSignalsAndStdin(() => {
  ctl.closeAllConnections();
  ctl.close();
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
});
