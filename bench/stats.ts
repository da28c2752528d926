/** Summaries for the bench tables: median, min, max of the runs that produced a number. */

export interface Summary {
  /** Runs that produced a value. */
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median (mean of the middle two for an even count), min and max; undefined for no values. */
export function summarize(values: readonly (number | undefined)[]): Summary | undefined {
  const xs = values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return undefined;
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 === 1 ? (xs[mid] as number) : ((xs[mid - 1] as number) + (xs[mid] as number)) / 2;
  return { n: xs.length, median, min: xs[0] as number, max: xs[xs.length - 1] as number };
}

/** a ÷ b of two medians, undefined when either is missing or b is 0. */
export function ratio(a: Summary | undefined, b: Summary | undefined): number | undefined {
  if (!a || !b || b.median === 0) return undefined;
  return a.median / b.median;
}

/** Index of the value closest to the median (the representative run to draw). */
export function medianIndex(values: readonly (number | undefined)[]): number | undefined {
  const s = summarize(values);
  if (!s) return undefined;
  let best: number | undefined;
  values.forEach((v, i) => {
    if (v === undefined) return;
    if (best === undefined || Math.abs(v - s.median) < Math.abs((values[best] as number) - s.median)) best = i;
  });
  return best;
}
