// Preload for bench/footprint-node.ts (`node --import bench/footprint-eld.mjs ...`): samples the
// event loop's delay with perf_hooks.monitorEventLoopDelay (10 ms resolution) and writes the
// figures since the previous line, in ms, once a second as a JSON line to VIPD_ELD_FILE. A pause
// of the loop delays every timer and every received advert by as much: what matters is how close
// the longest comes to the detection time (3 × advert interval + Skew_Time).
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const file = process.env.VIPD_ELD_FILE;
if (file) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  setInterval(() => {
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), maxMs: ms(h.max), p99Ms: ms(h.percentile(99)), meanMs: ms(h.mean) })}\n`);
    h.reset();
  }, 1000).unref();
}
