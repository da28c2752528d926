/** Command line of `npm run bench` (bench/failover.ts). Pure: argv in, options or an error out. */

export const FAILOVER_SCENARIOS = ['agent-crash', 'host-death', 'graceful-stop'] as const;
export type FailoverScenario = (typeof FAILOVER_SCENARIOS)[number];
export const PHASES = [...FAILOVER_SCENARIOS, 'flap', 'footprint', 'cloud'] as const;
export type Phase = (typeof PHASES)[number];
export const IMPLEMENTATIONS = ['keepalived', 'vipd-lan', 'vipd-unicast'] as const;
export type ImplId = (typeof IMPLEMENTATIONS)[number];
export const ADVERTS = ['1s', '100ms'] as const;
export type AdvertId = (typeof ADVERTS)[number];

/** The cloud phase's default API latency: a same-region EC2 API round trip is tens of ms. */
export const DEFAULT_CLOUD_LATENCY_MS = 50;

/** Below this many runs the long phases are shortened to fit the 15-minute budget of `--runs 3`. */
export const FULL_RUNS = 10;

export interface BenchOptions {
  readonly runs: number;
  /** Per loss level. */
  readonly flapMinutes: number;
  /** True when flapMinutes was not given and was shortened because runs < FULL_RUNS. */
  readonly flapShortened: boolean;
  readonly footprintSeconds: number;
  readonly footprintShortened: boolean;
  /** The EC2 fake's added latency per API request in the cloud phase, the same for both sides. */
  readonly cloudLatencyMs: number;
  readonly phases: ReadonlySet<Phase>;
  readonly impls: readonly ImplId[];
  readonly adverts: readonly AdvertId[];
  readonly help: boolean;
}

export const USAGE = `usage: npm run bench -- [options]

  --runs N               runs per scenario and implementation (default 10)
  --flap-minutes M       minutes per loss level in the flap test (default 3; 1 when --runs < ${FULL_RUNS})
  --footprint-seconds S  sampling window of the footprint (default 60; 20 when --runs < ${FULL_RUNS})
  --skip-flap            no flap test
  --skip-footprint       no footprint measurement
  --skip-cloud           no cloud phase (keepalived + AWS CLI vs vipd's aws eip provider on the EC2 fake)
  --cloud-latency MS     the EC2 fake's latency per API request in the cloud phase (default ${DEFAULT_CLOUD_LATENCY_MS})
  --only LIST            only these phases: ${PHASES.join(', ')} (comma separated)
  --impls LIST           only these implementations: ${IMPLEMENTATIONS.join(', ')}
  --adverts LIST         only these advert intervals: ${ADVERTS.join(', ')}
  --help                 this text

Needs root (network namespaces); writes bench/results/.`;

export type ParseResult = { ok: true; options: BenchOptions } | { ok: false; error: string };

function list<T extends string>(flag: string, text: string | undefined, allowed: readonly T[]): T[] | string {
  if (text === undefined || text === '') return `${flag} needs a value: ${allowed.join(', ')}`;
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = items.filter((s) => !(allowed as readonly string[]).includes(s));
  if (bad.length > 0) return `${flag}: unknown ${bad.join(', ')} (expected ${allowed.join(', ')})`;
  return items as T[];
}

function number(flag: string, text: string | undefined, min: number, max: number): number | string {
  const n = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(n) || n < min || n > max) return `${flag} must be a number ${min}-${max}; got ${text ?? 'nothing'}`;
  return n;
}

export function parseOptions(argv: readonly string[]): ParseResult {
  let runs = FULL_RUNS;
  let flapMinutes: number | undefined;
  let footprintSeconds: number | undefined;
  let skipFlap = false;
  let skipFootprint = false;
  let skipCloud = false;
  let cloudLatencyMs = DEFAULT_CLOUD_LATENCY_MS;
  let only: Phase[] | undefined;
  let impls: ImplId[] = [...IMPLEMENTATIONS];
  let adverts: AdvertId[] = [...ADVERTS];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => inline ?? argv[++i];
    let r: unknown;
    switch (flag) {
      case '--runs':
        r = number(flag, value(), 1, 100);
        if (typeof r === 'number' && !Number.isInteger(r)) r = `--runs must be a whole number; got ${r}`;
        if (typeof r === 'number') runs = r;
        break;
      case '--flap-minutes':
        r = number(flag, value(), 0.1, 60);
        if (typeof r === 'number') flapMinutes = r;
        break;
      case '--footprint-seconds':
        r = number(flag, value(), 5, 3600);
        if (typeof r === 'number') footprintSeconds = r;
        break;
      case '--skip-flap':
        skipFlap = true;
        break;
      case '--skip-footprint':
        skipFootprint = true;
        break;
      case '--skip-cloud':
        skipCloud = true;
        break;
      case '--cloud-latency':
        r = number(flag, value(), 0, 5000);
        if (typeof r === 'number') cloudLatencyMs = r;
        break;
      case '--only':
        r = list(flag, value(), PHASES);
        if (Array.isArray(r)) only = r;
        break;
      case '--impls':
        r = list(flag, value(), IMPLEMENTATIONS);
        if (Array.isArray(r)) impls = r;
        break;
      case '--adverts':
        r = list(flag, value(), ADVERTS);
        if (Array.isArray(r)) adverts = r;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        return { ok: false, error: `unknown option ${JSON.stringify(arg)}` };
    }
    if (typeof r === 'string') return { ok: false, error: r };
  }
  const phases = new Set<Phase>(only ?? PHASES);
  if (skipFlap) phases.delete('flap');
  if (skipFootprint) phases.delete('footprint');
  if (skipCloud) phases.delete('cloud');
  const small = runs < FULL_RUNS;
  return {
    ok: true,
    options: {
      runs,
      flapMinutes: flapMinutes ?? (small ? 1 : 3),
      flapShortened: flapMinutes === undefined && small,
      footprintSeconds: footprintSeconds ?? (small ? 20 : 60),
      footprintShortened: footprintSeconds === undefined && small,
      cloudLatencyMs,
      phases,
      // Keep the canonical order whatever order the user typed.
      impls: IMPLEMENTATIONS.filter((x) => impls.includes(x)),
      adverts: ADVERTS.filter((x) => adverts.includes(x)),
      help,
    },
  };
}
