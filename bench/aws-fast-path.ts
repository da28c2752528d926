/**
 * Decision -> first request for the aws provider (issue 9 "A fast path": at most 20 ms).
 * A validated (warm) eip provider against the EC2 fake (test/fakes/ec2) in this process:
 * t0 is the call to acquire(); the first request's arrival is the fake's own timestamp
 * (performance.now(), same clock). Between takeovers the provider sits idle for `--idle-ms`
 * so a cold path (a new connection, a credential or metadata lookup) would show.
 *
 *   node --import tsx bench/aws-fast-path.ts [--runs 20] [--idle-ms 500]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { providerFor, startWorld } from '../test/conformance/aws-subjects.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, 'idle-ms': { type: 'string', default: '500' } } });
const runs = Number(values.runs);
const idleMs = Number(values['idle-ms']);

const world = await startWorld('eip');
let handedToSdk = 0;
const provider = providerFor(world, 'self', { components: { onSend: () => { if (handedToSdk === 0) handedToSdk = performance.now(); } } });
const rival = providerFor(world, 'rival');
await provider.validate(new AbortController().signal);
await rival.validate(new AbortController().signal);

const toRequest: number[] = [];
const toSdk: number[] = [];
const total: number[] = [];
for (let i = 0; i < runs; i++) {
  await rival.acquire({ term: 2 * i + 1, reason: 'bench', signal: new AbortController().signal });
  await new Promise((r) => setTimeout(r, idleMs));
  const before = world.fake.requests.length;
  const t0 = performance.now();
  handedToSdk = 0;
  await provider.acquire({ term: 2 * i + 2, reason: 'bench', signal: new AbortController().signal });
  const t1 = performance.now();
  const first = world.fake.requests[before];
  if (!first) throw new Error('no request reached the fake');
  toRequest.push(first.at - t0);
  total.push(t1 - t0);
  toSdk.push(handedToSdk - t0);
}
await provider.close();
await rival.close();
await world.fake.close();

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const line = (name: string, xs: number[]) => `${name.padEnd(44)} median ${q(xs, 0.5).toFixed(2)} ms, p95 ${q(xs, 0.95).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
console.log(`aws eip fast path, ${runs} takeovers after ${idleMs} ms idle each (fake in-process, 0 ms API latency):`);
console.log(line('decision -> first request handed to the SDK', toSdk));
console.log(line('decision -> first request arrives at the fake', toRequest));
console.log(line('decision -> takeover done (3 requests)', total));
