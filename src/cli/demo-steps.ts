/** Pacing shared by the demos (src/cli/demo.ts, src/cli/cloud-demo.ts): waits that end early when the demo stops. */

/** Wall-clock time of day with milliseconds, the first column of every demo line. */
export const clock = (): string => new Date().toISOString().slice(11, 23);

export interface DemoSteps {
  /** Waits `ms`, or less when the demo stops. */
  pause(ms: number): Promise<void>;
  /** Polls until `cond` holds (bounded by `ms`) or the demo stops; false if it did not happen. */
  until(cond: () => boolean | Promise<boolean>, ms: number): Promise<boolean>;
}

export function demoSteps(signal: AbortSignal): DemoSteps {
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  const until = async (cond: () => boolean | Promise<boolean>, ms: number) => {
    const end = Date.now() + ms;
    while (!(await cond()) && !signal.aborted && Date.now() < end) await pause(20);
    return cond();
  };
  return { pause, until };
}
