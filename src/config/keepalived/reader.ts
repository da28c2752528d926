/**
 * Reads a keepalived.conf and the files it includes into one stream of lines of words, each
 * word with its file and line. keepalived.conf(5), "include": FILENAME may be relative and may
 * hold wildcards and csh-style braces; "after opening an included file, the current directory is
 * set to the directory of the file itself, so any relative paths included from a file are
 * relative to the directory of the including file itself". `include` and its variants
 * (includer, includem, includew, includeb, includea) must start their line, as keepalived finds
 * them before anything else on it (lib/parser.c check_include).
 *
 * Differences, on purpose: keepalived's plain `include` skips a file it cannot open and says
 * nothing; an importer that did so would silently import less, so a named file (no wildcard)
 * that cannot be read is an error here. A wildcard that matches nothing is a note (`includew`
 * and `includea`: an error, as in keepalived). Cycles, depth and the number of files are bounded.
 */
import { statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { readBoundedFile } from '../files.js';
import { expandBraces, globFiles, hasWildcard } from './glob.js';
import { decomment, KeepalivedSyntaxError, shortText, tokenize, type SourceRef, type Token } from './lexer.js';
import { preprocess, type Preprocessor } from './preprocess.js';

export interface ReadLimits {
  /** Include nesting: the main file is depth 0. */
  readonly maxDepth: number;
  /** Files read in all, the main file included. */
  readonly maxFiles: number;
  /** Bytes of one file (a keepalived.conf is a few KiB). */
  readonly maxFileBytes: number;
  /** Bytes read in all. */
  readonly maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ReadLimits = { maxDepth: 16, maxFiles: 256, maxFileBytes: 1024 * 1024, maxTotalBytes: 16 * 1024 * 1024 };

export interface ReadOptions {
  readonly configId?: string | undefined;
  readonly limits?: Partial<ReadLimits>;
}

/** One line's words (never empty), with the directory of its file for relative script paths. */
export interface Line {
  readonly tokens: readonly Token[];
  readonly file: string;
  readonly line: number;
  readonly dir: string;
}

export interface ReadNote {
  readonly at: SourceRef;
  readonly option: string;
  readonly reason: string;
}

export interface ReadResult {
  readonly lines: Line[];
  /** Every file read, as shown in messages, in the order read. */
  readonly files: string[];
  readonly notes: ReadNote[];
}

const INCLUDE_WORDS = new Set(['include', 'includer', 'includem', 'includew', 'includeb', 'includea']);
/** The variants that make "no file matched a wildcard" an error (keepalived.conf(5) include_check wildcard_match). */
const STRICT_WILDCARD = new Set(['includew', 'includea']);

/**
 * Reads `path` (as the user typed it; messages name files relative to it). Throws
 * KeepalivedSyntaxError for an unreadable file, an include problem or bad syntax.
 */
export function readKeepalived(path: string, options: ReadOptions = {}): ReadResult {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const mainAbsolute = resolve(path);
  const shown = (absolute: string): string => {
    if (absolute === mainAbsolute) return path;
    const rel = relative(dirname(mainAbsolute), absolute);
    return rel.startsWith('..') || isAbsolute(rel) ? absolute : join(dirname(path), rel);
  };
  const state = {
    lines: [] as Line[],
    files: [] as string[],
    notes: [] as ReadNote[],
    totalBytes: 0,
    pre: { configId: options.configId, params: new Map<string, string>() } as Preprocessor,
  };
  const stack: { absolute: string; at?: SourceRef }[] = [];

  const readFile = (absolute: string, from: SourceRef | undefined) => {
    const name = shown(absolute);
    const cycle = stack.findIndex((s) => s.absolute === absolute);
    if (cycle >= 0 && from) {
      const chain = [...stack.slice(cycle + 1).map((s) => `${s.at ? `${s.at.file}:${s.at.line}` : '?'} includes ${shown(s.absolute)}`), `${from.file}:${from.line} includes ${name}`];
      throw new KeepalivedSyntaxError(from, `include cycle: ${chain.join(', ')}, which is already being read`);
    }
    if (from && stack.length > limits.maxDepth) {
      throw new KeepalivedSyntaxError(from, `includes are nested more than ${limits.maxDepth} deep (at ${name})`);
    }
    if (state.files.length >= limits.maxFiles) {
      throw new KeepalivedSyntaxError(from ?? { file: name, line: 0 }, `more than ${limits.maxFiles} files are included`);
    }
    const read = readBoundedFile(absolute, limits.maxFileBytes, 'a keepalived configuration is a few KiB');
    if (!read.ok) {
      const reason = `cannot read ${from ? `included file ${name}` : 'the file'}: ${read.reason}`;
      throw new KeepalivedSyntaxError(from ?? { file: name, line: 0 }, reason);
    }
    state.totalBytes += read.bytes.length;
    if (state.totalBytes > limits.maxTotalBytes) {
      throw new KeepalivedSyntaxError(from ?? { file: name, line: 0 }, `the files read add up to more than ${limits.maxTotalBytes} bytes`);
    }
    state.files.push(name);
    stack.push({ absolute, ...(from && { at: from }) });
    const dir = dirname(absolute);
    const text = read.bytes.toString('utf8').replace(/^\uFEFF/, '');
    text.split('\n').forEach((raw, index) => readLine(raw, { file: name, line: index + 1 }, dir));
    stack.pop();
  };

  const readLine = (raw: string, at: { file: string; line: number }, dir: string) => {
    const d = decomment(raw);
    if (d.openQuote) throw new KeepalivedSyntaxError({ ...at, col: d.indent + 1 + d.text.indexOf('"') }, `unterminated double quote: ${shortText(d.text)}`);
    if (d.text === '') return;
    const pre = preprocess(d.text, d.indent, at, dir, state.pre, d.continued);
    if (pre.kind === 'skip') return;
    const tokens = tokenize(pre.text, at, pre.indent + 1);
    if (tokens.length === 0) return;
    const first = tokens[0] as Token;
    if (!first.quoted && INCLUDE_WORDS.has(first.text)) {
      include(first, pre.text.slice(pre.text.indexOf(first.text) + first.text.length).trim(), dir);
      return;
    }
    state.lines.push({ tokens, file: at.file, line: at.line, dir });
  };

  const include = (keyword: Token, rest: string, dir: string) => {
    const at: SourceRef = { file: keyword.file, line: keyword.line, col: keyword.col };
    const pattern = unquote(rest);
    if (pattern === '') throw new KeepalivedSyntaxError(at, `${keyword.text} needs a file name or pattern`);
    let patterns: string[];
    try {
      patterns = expandBraces(pattern);
    } catch (error) {
      throw new KeepalivedSyntaxError(at, `${keyword.text} ${shortText(pattern)}: ${(error as Error).message}`);
    }
    for (const p of patterns) {
      const matches = globFiles(p, dir);
      if (matches.length === 0) {
        if (hasWildcard(p) && !STRICT_WILDCARD.has(keyword.text)) {
          state.notes.push({ at, option: `${keyword.text} ${shortText(p)}`, reason: 'matched no file (keepalived accepts that too); nothing was included' });
          continue;
        }
        const absolute = isAbsolute(p) ? p : join(dir, p);
        const why = hasWildcard(p) ? `no file matched (${keyword.text} requires a match)` : describeMissing(absolute);
        throw new KeepalivedSyntaxError(at, `cannot read included file ${shortText(p)} (${absolute}): ${why}`);
      }
      for (const file of matches) {
        if (isExecutable(file)) {
          state.notes.push({ at, option: `${keyword.text} ${shown(file)}`, reason: 'is executable, and keepalived skips executable files it would include; so does the import' });
          continue;
        }
        readFile(file, at);
      }
    }
  };

  readFile(mainAbsolute, undefined);
  if (state.pre.conditionalSeen) {
    const id = options.configId;
    state.notes.push({
      at: state.pre.conditionalSeen,
      option: '@ conditional lines',
      reason: id === undefined
        ? 'applied as keepalived does without a config id: every @ID line left out, every @^ID line kept'
        : `applied for config id "${id}" (keepalived -i; by default the first part of the host name); import with another --config-id for another node`,
    });
  }
  return { lines: state.lines, files: state.files, notes: state.notes };
}

/** `"a b"` or `'a b'` -> `a b`; the include pattern is the rest of the line. */
function unquote(text: string): string {
  const m = /^(["'])(.*)\1$/.exec(text);
  return m ? (m[2] as string) : text;
}

function describeMissing(absolute: string): string {
  try {
    const s = statSync(absolute);
    return s.isDirectory() ? 'is a directory' : 'is not a regular file';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
  }
}

function isExecutable(path: string): boolean {
  try {
    return (statSync(path).mode & 0o111) !== 0;
  } catch {
    return false;
  }
}
