/**
 * The `filter` parameter of Compute list methods, the part of its grammar the fake supports
 * (https://cloud.google.com/compute/docs/reference/rest/v1/instances/list, "filter"):
 * `FIELD = VALUE`, `FIELD != VALUE` (exact, `*` as a wildcard), `FIELD eq REGEX`, `FIELD ne REGEX`
 * (whole-value match), terms optionally in parentheses, joined by whitespace or AND. A field path
 * walks nested objects and every element of an array ("networkInterfaces.aliasIpRanges.ipCidrRange").
 * Anything else is refused, so a provider never relies on a filter the fake silently ignores.
 */
import { invalid } from './errors.js';

interface Term {
  field: string;
  op: '=' | '!=' | 'eq' | 'ne';
  value: string;
}

const TERM = /^\(?\s*([A-Za-z][A-Za-z0-9_.]*)\s*(=|!=|\beq\b|\bne\b)\s*("(?:[^"\\]|\\.)*"|'[^']*'|[^\s()]+)\s*\)?$/;

export function parseFilter(filter: string): Term[] {
  const pieces = filter
    .trim()
    .split(/\)\s*(?:AND\s+)?\(|\s+AND\s+/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const out: Term[] = [];
  for (const piece of pieces) {
    const text = `${piece.startsWith('(') ? '' : '('}${piece}${piece.endsWith(')') ? '' : ')'}`;
    const m = TERM.exec(text);
    if (!m) throw invalid(`Invalid value for field 'filter': '${filter}'. Invalid list filter expression (the fake supports FIELD =|!=|eq|ne VALUE terms joined by AND).`);
    let value = m[3] as string;
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) value = value.slice(1, -1);
    out.push({ field: m[1] as string, op: m[2] as Term['op'], value });
  }
  return out;
}

function values(obj: unknown, path: string[]): unknown[] {
  if (path.length === 0) return Array.isArray(obj) ? obj : [obj];
  if (Array.isArray(obj)) return obj.flatMap((x) => values(x, path));
  if (typeof obj !== 'object' || obj === null) return [];
  const [head, ...rest] = path;
  return values((obj as Record<string, unknown>)[head as string], rest);
}

function matchesTerm(resource: unknown, t: Term): boolean {
  const vs = values(resource, t.field.split('.'))
    .filter((v) => v !== undefined && v !== null)
    .map(String);
  const test =
    t.op === '=' || t.op === '!='
      ? (v: string): boolean => new RegExp(`^${t.value.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(v)
      : (v: string): boolean => new RegExp(`^(?:${t.value})$`).test(v);
  const any = vs.some(test);
  return t.op === '=' || t.op === 'eq' ? any : !any;
}

export function matchesFilter(resource: unknown, terms: readonly Term[]): boolean {
  return terms.every((t) => matchesTerm(resource, t));
}
