/**
 * `checks:` and each group's `track:` after the schema (checks-schema.ts): the fields of each
 * check's type present and only those, names unique, a timeout within the interval, and every
 * tracked name defined (docs/health-checks.md).
 */
import type { RawCheck, RawTrack } from './checks-schema.js';
import { duplicates, type Finding, type Path } from './findings.js';
import type { CheckConfig, CheckProbeConfig, TrackConfig } from './types.js';

const DEFAULT_INTERVAL_MS = 1000;

/** Which optional fields each type takes (the rest are errors for it). */
const FIELDS: Record<CheckProbeConfig['type'], readonly string[]> = {
  exec: ['command'],
  http: ['url', 'expect_status', 'body_match'],
  https: ['url', 'expect_status', 'body_match', 'tls_verify'],
  tcp: ['host', 'port'],
  interface: ['interface'],
  file: ['path'],
  process: ['process', 'args'],
};
const TYPED = [...new Set(Object.values(FIELDS).flat())];
const REQUIRED: Record<CheckProbeConfig['type'], readonly string[]> = {
  exec: ['command'], http: ['url'], https: ['url'], tcp: ['port'], interface: ['interface'], file: ['path'], process: ['process'],
};

export function normalizeChecks(raw: readonly RawCheck[], rawInput: readonly unknown[], indexes: readonly number[]): { checks: CheckConfig[]; errors: Finding[] } {
  const errors: Finding[] = [];
  const checks: CheckConfig[] = [];
  for (const [i, c] of raw.entries()) {
    const at: Path = ['checks', indexes[i] ?? i];
    const given = new Set(Object.keys((rawInput[i] ?? {}) as object));
    for (const f of TYPED) {
      if (given.has(f) && !FIELDS[c.type].includes(f)) errors.push({ path: [...at, f], message: `not for a ${c.type} check (it takes ${FIELDS[c.type].join(', ')})` });
    }
    for (const f of REQUIRED[c.type]) if (!given.has(f)) errors.push({ path: [...at, f], message: `required for a ${c.type} check` });
    const intervalMs = c.interval ?? DEFAULT_INTERVAL_MS;
    const timeoutMs = c.timeout ?? intervalMs;
    if (timeoutMs > intervalMs) errors.push({ path: [...at, 'timeout'], message: `must be at most the interval (${intervalMs} ms): runs never overlap; got ${timeoutMs} ms` });
    let bodyOk = true;
    if (c.body_match !== undefined) {
      try {
        new RegExp(c.body_match);
      } catch (err) {
        bodyOk = false;
        errors.push({ path: [...at, 'body_match'], message: `not a regular expression: ${err instanceof Error ? err.message : String(err)}` });
      }
    }
    if ((c.type === 'http' || c.type === 'https') && c.url !== undefined && !c.url.startsWith(`${c.type}://`)) {
      errors.push({ path: [...at, 'url'], message: `a ${c.type} check needs a ${c.type}:// URL; got ${c.url.slice(0, 80)}` });
    }
    const probe = probeOf(c, bodyOk);
    if (!probe) continue;
    checks.push({
      name: c.name, intervalMs, timeoutMs, rise: c.rise, fall: c.fall, initFail: c.init_fail,
      weight: c.weight ?? (c.type === 'file' ? 1 : 0), probe,
    });
  }
  errors.push(...duplicates(raw.map((c, i) => ({ key: c.name, path: ['checks', indexes[i] ?? i, 'name'] })), (key, first) => `check ${key} is defined twice (first at ${first})`));
  return { checks, errors };
}

function probeOf(c: RawCheck, bodyOk: boolean): CheckProbeConfig | undefined {
  switch (c.type) {
    case 'exec':
      return c.command && c.command.length > 0 ? { type: 'exec', command: c.command as [string, ...string[]] } : undefined;
    case 'http':
    case 'https':
      return c.url === undefined || !bodyOk ? undefined : {
        type: c.type, url: c.url, tlsVerify: c.tls_verify,
        ...(c.expect_status ? { expectStatus: c.expect_status } : {}), ...(c.body_match !== undefined ? { bodyMatch: c.body_match } : {}),
      };
    case 'tcp':
      return c.port === undefined ? undefined : { type: 'tcp', host: c.host ?? '127.0.0.1', port: c.port };
    case 'interface':
      return c.interface === undefined ? undefined : { type: 'interface', interface: c.interface };
    case 'file':
      return c.path === undefined ? undefined : { type: 'file', path: c.path };
    case 'process':
      return c.process === undefined ? undefined : { type: 'process', process: c.process, ...(c.args !== undefined ? { args: c.args } : {}) };
  }
}

/** A group's `track:` against the checks: every name defined, none twice. */
export function normalizeTracks(raw: readonly RawTrack[], at: Path, checks: readonly CheckConfig[], rawNames: readonly string[]): { tracks: TrackConfig[]; errors: Finding[] } {
  const errors: Finding[] = [];
  const tracks: TrackConfig[] = [];
  const names = raw.map((t) => (typeof t === 'string' ? t : t.check));
  for (const [i, t] of raw.entries()) {
    const name = names[i] as string;
    const c = checks.find((x) => x.name === name);
    if (!c) {
      // A check that failed validation on its own is reported there, not again here.
      if (!rawNames.includes(name)) errors.push({ path: [...at, i], message: `no check named ${name} in checks${rawNames.length > 0 ? ` (defined: ${rawNames.join(', ')})` : ''}` });
      continue;
    }
    const weight = typeof t === 'string' ? c.weight : (t.weight ?? c.weight);
    tracks.push({ check: name, weight, file: c.probe.type === 'file' });
  }
  errors.push(...duplicates(names.map((key, i) => ({ key, path: [...at, i] })), (key, first) => `check ${key} is tracked twice (first at ${first})`));
  return { tracks, errors };
}
