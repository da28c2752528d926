/**
 * keepalived.conf -> a vipd configuration that vipd's own loader accepts (load.ts), with every
 * problem named at its keepalived file and line. Used by `vipd import keepalived` (command.ts)
 * and `vipd run --keepalived-conf` (loadKeepalivedConfig, so each start and each reload
 * re-runs the importer on the file).
 */
import { formatPath, type Path } from '../findings.js';
import { parseConfigText, type ConfigIssue, type LoadResult } from '../load.js';
import type { ProviderCatalogue } from '../provider-schema.js';
import type { VipdConfig } from '../types.js';
import { convertKeepalived, type Conversion } from './convert.js';
import { emitYaml, summary } from './emit.js';
import { KeepalivedSyntaxError, type SourceRef } from './lexer.js';
import { parseKeepalived, type Parsed } from './parser.js';
import type { ReadLimits } from './reader.js';
import type { ReportEntry } from './report.js';

export interface ImportOptions {
  /** The providers a group may name (the registry, src/app/providers.ts): the result is checked against them. */
  readonly providers: ProviderCatalogue;
  /** keepalived's defaults come from it: router_id (node.id) and the config id of `@ID` lines. */
  readonly hostName?: string | undefined;
  /** keepalived -i: which `@ID` lines apply; default the first part of the host name, as keepalived's. */
  readonly configId?: string | undefined;
  readonly limits?: Partial<ReadLimits>;
}

export type ImportResult =
  | {
    readonly ok: true;
    readonly yaml: string;
    readonly config: VipdConfig;
    readonly report: readonly ReportEntry[];
    /** The loader's warnings about the result, at keepalived positions where known. */
    readonly warnings: ConfigIssue[];
    readonly summary: string;
    readonly conversion: Conversion;
  }
  | { readonly ok: false; readonly errors: ConfigIssue[]; readonly report: readonly ReportEntry[] };

/** The `path` column of a message about the keepalived file itself: `x.conf:3:5: error: ...`. */
export const KEEPALIVED_PATH = 'error';

export function importKeepalived(path: string, options: ImportOptions): ImportResult {
  const configId = options.configId ?? options.hostName?.split('.')[0];
  let parsed: Parsed;
  try {
    parsed = parseKeepalived(path, { configId, ...(options.limits && { limits: options.limits }) });
  } catch (error) {
    if (error instanceof KeepalivedSyntaxError) return { ok: false, errors: [issueAt(error.at, KEEPALIVED_PATH, error.message)], report: [] };
    throw error;
  }
  const conversion = convertKeepalived(parsed, { hostName: options.hostName });
  const report = conversion.report.entries;
  if (conversion.counts.groups === 0) {
    const message = 'no vrrp_instance could be imported (each one\'s reason is listed), and a vipd node needs at least one group';
    return { ok: false, errors: [{ file: path, path: KEEPALIVED_PATH, message }], report };
  }
  const yaml = emitYaml(conversion, path);
  // The file's own directory: relative paths in the result resolve there, as keepalived's do.
  const loaded = parseConfigText(yaml, path, { providers: options.providers });
  const remap = (issue: ConfigIssue) => remapIssue(issue, conversion, path);
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map(remap), report };
  return { ok: true, yaml, config: loaded.config, report, warnings: loaded.warnings.map(remap), summary: summary(conversion), conversion };
}

/**
 * `vipd run --keepalived-conf FILE`: the import as a LoadResult, as load.ts gives for a vipd
 * file; each unmapped option is a warning at its keepalived line.
 */
export function loadKeepalivedConfig(path: string, options: ImportOptions): LoadResult {
  const result = importKeepalived(path, options);
  if (!result.ok) {
    // Why no group was imported, when that is the error: those entries are errors here.
    const why = result.report.filter((e) => e.kind === 'unmapped' && e.option.startsWith('vrrp_instance') && e.reason.includes('not imported'));
    return { ok: false, errors: [...why.map(entryIssue), ...result.errors] };
  }
  const unmapped = result.report.filter((e) => e.kind === 'unmapped').map(entryIssue);
  const notes = result.report.length - unmapped.length;
  const hint: ConfigIssue[] = notes === 0 ? [] : [{ file: path, path: 'import', message: `${notes} option(s) were imported with a change; \`vipd import keepalived ${path}\` lists them` }];
  return { ok: true, config: result.config, warnings: [...unmapped, ...hint, ...result.warnings] };
}

/** A report entry as a message line: `file:line:col: OPTION: unmapped: REASON`. */
export function entryIssue(e: ReportEntry): ConfigIssue {
  return issueAt(e.at, e.option, `${e.kind}: ${e.reason}`);
}

function issueAt(at: SourceRef, path: string, message: string): ConfigIssue {
  if (at.line === 0) return { file: at.file, path, message };
  return { file: at.file, path, line: at.line, ...(at.col !== undefined && { column: at.col }), message };
}

/**
 * A loader issue about the written YAML, told at the keepalived line the part came from (the
 * nearest written ancestor that has one), with the vipd path kept so the YAML can be found too.
 */
export function remapIssue(issue: ConfigIssue, c: Conversion, main: string): ConfigIssue {
  const segments = parsePath(issue.path);
  for (let n = segments.length; n >= 0; n--) {
    const at = c.origins.get(formatPath(segments.slice(0, n)));
    if (at) return issueAt(at, issue.path, `${issue.message} (in the converted configuration)`);
  }
  return { file: main, path: issue.path, message: `${issue.message} (in the converted configuration)` };
}

/** formatPath's inverse: `groups[0].provider["a.b"]` -> ['groups', 0, 'provider', 'a.b']. */
export function parsePath(text: string): Path {
  if (text === '(root)') return [];
  const out: (string | number)[] = [];
  const re = /(?:^|\.)([A-Za-z0-9_-]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(JSON.parse(m[3] as string) as string);
  }
  return out;
}
