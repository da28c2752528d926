/**
 * Membership failure-detection bench (issue 3 §2): for 10, 50 and 100 simulated members at
 * vipd's LAN timings (probe 200 ms, timeout 100 ms, k 3) and 5 % loss, the time from killing
 * one member until every live member declares it dead (p50 / p99 / max over many seeds), false
 * positives (live members declared dead by anyone), and messages sent per member per second.
 * Everything runs on the simulator's virtual clock: numbers are exact functions of the seeds.
 *
 *   npm run bench:gossip            (BENCH_SEEDS=N scales every row's seed count)
 */
import { detectionRun, stallRun } from '../test/sim/membership/sim.js';
import type { MembershipParams } from '../src/core/membership/types.js';

interface Config {
  readonly label: string;
  readonly params: Partial<MembershipParams>;
  readonly streamPeers?: number;
  readonly loss?: number;
}

const CONFIGS: readonly Config[] = [
  { label: 'memberlist-like (mult 4, no suspect-first)', params: { suspicionMultiplier: 4, probeSuspectsFirst: false } },
  { label: 'mult 4 (memberlist default)', params: { suspicionMultiplier: 4 } },
  { label: 'vipd LAN preset (mult 2)', params: {} },
  { label: 'vipd LAN, crash hints', params: {}, streamPeers: 3 },
  { label: 'vipd LAN, 20 % loss', params: {}, loss: 0.2 },
];
const SIZES: readonly { n: number; seeds: number }[] = [{ n: 10, seeds: 400 }, { n: 50, seeds: 200 }, { n: 100, seeds: 200 }];
const scale = process.env.BENCH_SEEDS ? Number(process.env.BENCH_SEEDS) / 200 : 1;

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN;
}

const pad = (s: string | number, w: number): string => String(s).padStart(w);
console.log('vipd gossip bench: kill one member, time until every live member declares it dead');
console.log('LAN timings: probe 200 ms, timeout 100 ms, k 3; one-way latency 0.5-1.5 ms; loss 5 % unless noted\n');
console.log(`${'config'.padEnd(44)}${pad('nodes', 6)}${pad('seeds', 7)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('undetected', 12)}${pad('false dead', 12)}${pad('msg/node/s', 12)}`);
const started = Date.now();
for (const c of CONFIGS) {
  for (const { n, seeds } of SIZES) {
    const count = Math.max(1, Math.round(seeds * scale));
    const times: number[] = [];
    let undetected = 0;
    let falseDead = 0;
    let rate = 0;
    for (let seed = 1; seed <= count; seed++) {
      const r = detectionRun(seed, n, { params: c.params, loss: c.loss ?? 0.05, streamPeers: c.streamPeers, afterKillMs: 10_000 });
      if (r.detectionMs === undefined) undetected++;
      else times.push(r.detectionMs);
      falseDead += r.falseDeaths.length;
      rate += r.messagesPerNodePerSec;
    }
    times.sort((a, b) => a - b);
    const ms = (q: number) => Math.round(quantile(times, q));
    console.log(`${c.label.padEnd(44)}${pad(n, 6)}${pad(count, 7)}${pad(ms(0.5), 9)}${pad(ms(0.99), 9)}${pad(ms(1), 9)}${pad(undetected, 12)}${pad(falseDead, 12)}${pad((rate / count).toFixed(1), 12)}`);
  }
}

// The price of fast detection: a live member that stalls longer than the detection time is
// indistinguishable from a dead one. How long a stall does each multiplier survive?
const STALLS = [250, 500, 750, 1000, 1500];
console.log('\nstall tolerance: one live member freezes (answers nothing), then resumes; 5 % loss');
console.log(`${'config'.padEnd(44)}${pad('nodes', 6)}${pad('seeds', 7)}${STALLS.map((ms) => pad(`${ms} ms`, 14)).join('')}`);
console.log(`${''.padEnd(53)}${STALLS.map(() => pad('susp/dead', 14)).join('')}`);
for (const mult of [4, 2]) {
  for (const { n, seeds } of [{ n: 10, seeds: 100 }, { n: 100, seeds: 40 }]) {
    const count = Math.max(1, Math.round(seeds * scale));
    const cells = STALLS.map((ms) => {
      let suspected = 0;
      let dead = 0;
      for (let seed = 1; seed <= count; seed++) {
        const r = stallRun(seed, n, ms, { params: { suspicionMultiplier: mult } });
        if (r.suspected) suspected++;
        if (r.declaredDead) dead++;
      }
      return pad(`${Math.round((100 * suspected) / count)}%/${Math.round((100 * dead) / count)}%`, 14);
    });
    console.log(`${`mult ${mult}`.padEnd(44)}${pad(n, 6)}${pad(count, 7)}${cells.join('')}`);
  }
}
console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s wall clock)`);
