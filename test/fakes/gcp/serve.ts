/**
 * The GCP fake as a process, for the demo and manual runs:
 *   node --import tsx test/fakes/gcp/serve.ts --world FILE.json [--latency MS] [--operation-delay MS] [--seed N]
 * FILE.json: { "project"?: string, "instances": NewInstance[], "addresses"?: [{ name, region?, address }] }.
 * Starts the Compute fake and one metadata server per instance, prints one JSON line
 * {"endpoint","project","metadata":{"<instance>":"127.0.0.1:PORT"}} and runs until SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startGcpFake, type NewInstance } from './index.js';

interface WorldFile {
  project?: string;
  instances: NewInstance[];
  addresses?: { name: string; region?: string; address: string }[];
}

function fail(message: string): never {
  process.stderr.write(`gcp fake: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    world: { type: 'string' },
    latency: { type: 'string', default: '0' },
    'operation-delay': { type: 'string', default: '50' },
    seed: { type: 'string', default: '1' },
  },
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
    if (typeof i?.name !== 'string' || !Array.isArray(i.nics)) fail(`${values.world}: instances[${n}] needs "name" and "nics"`);
    fake.addInstance(i);
  }
  for (const a of world.addresses ?? []) fake.addAddress(a);
  for (const i of world.instances) metadata[i.name] = (await fake.metadata(i.name)).host;
} catch (e) {
  await fake.close();
  fail(`${values.world}: ${(e as Error).message}`);
}
process.stdout.write(`${JSON.stringify({ endpoint: fake.endpoint, project: fake.project, metadata })}\n`);

const stop = (): void => {
  fake.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
