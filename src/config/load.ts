// Read a configuration file: YAML syntax, then schema, then cross-field rules. Every problem
// becomes an issue naming the file, the path and line:column, and ALL of them are reported.
// Bad input never throws: `vipd check` must be able to print what is wrong.
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { looseModeReason, readBoundedFile } from './files.js';
import { formatPath, type Finding } from './findings.js';
import { locate } from './locate.js';
import type { ProviderCatalogue } from './provider-schema.js';
import { validateDocument } from './semantic.js';
import type { VipdConfig } from './types.js';

export interface ConfigIssue {
  readonly file: string;
  /** `groups[0].priority`; `(root)` for the document as a whole. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export type LoadResult =
  | { readonly ok: true; readonly config: VipdConfig; readonly warnings: ConfigIssue[] }
  | { readonly ok: false; readonly errors: ConfigIssue[] };

const ROOT = '(root)';

/**
 * A configuration with a hundred groups is a few dozen KiB; anything this large was named by
 * mistake, and reading it whole would cost memory and time before any error (issue 8 finding
 * 11: `-c /dev/urandom` ran 19 s and took 1.2 GB).
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadOptions {
  /** The providers a group may name: the registry (src/app/providers.ts PROVIDER_PLUGINS). */
  readonly providers: ProviderCatalogue;
}

export async function loadConfigFile(path: string, options: LoadOptions): Promise<LoadResult> {
  const read = readBoundedFile(path, MAX_CONFIG_BYTES, 'a vipd configuration is a few KiB');
  if (!read.ok) return { ok: false, errors: [{ file: path, path: ROOT, message: `cannot read the file: ${read.reason}` }] };
  return parseConfigText(read.bytes.toString('utf8'), path, { ...options, looseMode: looseModeReason(path) });
}

export interface ParseOptions extends LoadOptions {
  /** Why the file itself is too open (files.ts looseModeReason): inline secrets then warn. */
  readonly looseMode?: string | undefined;
}

/**
 * `fileName` names the file in every issue, and its directory is where relative paths in the
 * document (tls files, secret files) are resolved: the working directory for a bare name.
 */
export function parseConfigText(text: string, fileName: string, options: ParseOptions): LoadResult {
  try {
    return parseUnchecked(text, fileName, options);
  } catch (error) {
    // Not expected (the property test feeds arbitrary text); kept so a bug here still yields
    // a readable exit 2 rather than a stack trace.
    return { ok: false, errors: [{ file: fileName, path: ROOT, message: `internal error while reading the configuration: ${String(error)}` }] };
  }
}

function parseUnchecked(text: string, file: string, options: ParseOptions): LoadResult {
  const lines = new LineCounter();
  // A byte-order mark would shift every column on line 1.
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const yamlIssue = (e: YAMLError): ConfigIssue => {
    const { line, col } = lines.linePos(e.pos[0]);
    // yaml's wording for this one names its own API; say what it means for a config file.
    const reason = e.code === 'MULTIPLE_DOCS' ? 'the file holds more than one document ("---"); vipd reads exactly one' : e.message;
    return { file, path: ROOT, line, column: col, message: `invalid YAML: ${reason}` };
  };
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map(yamlIssue) };
  const yamlWarnings = doc.warnings.map(yamlIssue);

  if (doc.contents === null) {
    return { ok: false, errors: [{ file, path: ROOT, message: 'the file is empty; expected a mapping with cluster_id, node and groups' }] };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // toJS refuses alias bombs ("billion laughs") with an error; report it as the reason.
    return { ok: false, errors: [{ file, path: ROOT, message: `invalid YAML: ${(error as Error).message}` }] };
  }

  const result = validateDocument(raw, { baseDir: dirname(resolve(file)), looseMode: options.looseMode, providers: options.providers });
  const toIssue = (finding: Finding) => issueAt(doc, lines, file, finding);
  const warnings = [...yamlWarnings, ...byPosition(result.warnings.map(toIssue))];
  if (result.config === undefined) return { ok: false, errors: byPosition(result.errors.map(toIssue)) };
  return { ok: true, config: result.config, warnings };
}

function issueAt(doc: Document, lines: LineCounter, file: string, finding: Finding): ConfigIssue {
  const where = locate(doc, lines, finding.path, finding.at);
  const path = formatPath(finding.path);
  return where ? { file, path, line: where.line, column: where.column, message: finding.message } : { file, path, message: finding.message };
}

/** Document order reads best; findings without a position stay first, in their order. */
function byPosition(issues: ConfigIssue[]): ConfigIssue[] {
  const key = (i: ConfigIssue) => (i.line ?? 0) * 1e6 + (i.column ?? 0);
  return [...issues].sort((a, b) => key(a) - key(b));
}
