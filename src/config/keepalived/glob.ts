/**
 * The file names an `include` pattern names, as glob(3) with GLOB_BRACE and GLOB_MARK finds them
 * for keepalived (lib/parser.c open_and_check_glob): csh-style braces `{a,b}` expand first, in
 * order; then `*`, `?` and `[...]` match within one path segment, never a leading "." unless the
 * pattern says so; each brace alternative's matches are sorted (glob sorts; here by code point,
 * so the result does not depend on the locale). Directories are left out, as keepalived skips them.
 */
import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** A pattern with no wildcard names one file, which must then exist. */
export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

/** Brace alternatives are bounded: `{a,b}{c,d}...` grows exponentially. */
const MAX_EXPANSIONS = 256;

/** `a{b,c{d,e}}f` -> [abf, acdf, acef]; text without a balanced `{...,...}` is returned as it is. */
export function expandBraces(pattern: string): string[] {
  const out: string[] = [];
  const walk = (text: string) => {
    if (out.length > MAX_EXPANSIONS) return;
    const open = findBrace(text);
    if (open === undefined) {
      out.push(text);
      return;
    }
    const { start, end, parts } = open;
    for (const part of parts) walk(text.slice(0, start) + part + text.slice(end + 1));
  };
  walk(pattern);
  if (out.length > MAX_EXPANSIONS) throw new Error(`brace expansion gives more than ${MAX_EXPANSIONS} patterns`);
  return out;
}

/** The first `{...}` with a top-level comma, split at those commas. */
function findBrace(text: string): { start: number; end: number; parts: string[] } | undefined {
  for (let start = text.indexOf('{'); start >= 0; start = text.indexOf('{', start + 1)) {
    let depth = 0;
    const commas: number[] = [];
    for (let i = start; i < text.length; i++) {
      const c = text[i];
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) {
          if (commas.length === 0) break;
          const bounds = [start, ...commas, i];
          const parts = bounds.slice(0, -1).map((b, k) => text.slice(b + 1, bounds[k + 1]));
          return { start, end: i, parts };
        }
      } else if (c === ',' && depth === 1) commas.push(i);
    }
  }
  return undefined;
}

/** One segment's pattern as a regular expression (`*`, `?`, `[...]` with `!` or `^` negation). */
function segmentRegex(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negate = body.startsWith('!') || body.startsWith('^');
      if (negate) body = body.slice(1);
      re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = close;
    } else if (c === '\\' && i + 1 < segment.length) {
      re += (segment[i + 1] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Regular files matching `pattern` (already brace-free), relative paths resolved against `dir`.
 * Sorted by code point within the pattern.
 */
export function globFiles(pattern: string, dir: string): string[] {
  const absolute = isAbsolute(pattern) ? pattern : join(dir, pattern);
  if (!hasWildcard(pattern)) return isFile(absolute) ? [resolve(absolute)] : [];
  const segments = absolute.split('/');
  let bases = [segments[0] === '' ? '/' : (segments[0] as string)];
  for (const segment of segments.slice(1)) {
    if (segment === '') continue;
    const next: string[] = [];
    for (const base of bases) {
      if (!hasWildcard(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const re = segmentRegex(segment);
      let names: string[];
      try {
        names = readdirSync(base);
      } catch {
        continue;
      }
      for (const name of names.sort(byCodePoint)) {
        if (name.startsWith('.') && !segment.startsWith('.')) continue;
        if (re.test(name)) next.push(join(base, name));
      }
    }
    bases = next;
  }
  return bases.filter(isFile).map((p) => resolve(p));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
