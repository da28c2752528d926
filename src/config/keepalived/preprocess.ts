/**
 * keepalived's line-level features before words (keepalived.conf(5) "Conditional configuration
 * and configuration id", "Parameter substitution", "Pre-defined definitions"), done in the
 * order keepalived's read_line does them: `@ID` lines, `$NAME=VALUE` definitions, then
 * `$NAME` / `${NAME}` substitution. Multi-line definitions, ~SEQ and ~LST blocks are refused
 * with their line: they generate configuration, and guessing at them would import something
 * other than what keepalived runs.
 */
import { KeepalivedSyntaxError, type SourceRef } from './lexer.js';

export interface Preprocessor {
  /** keepalived -i (default: the first part of the host name); undefined matches no `@ID`. */
  readonly configId: string | undefined;
  /** Defined parameters, shared across included files as in keepalived. */
  readonly params: Map<string, string>;
  /** Whether a conditional line was seen (reported once). */
  conditionalSeen?: SourceRef;
}

export type Preprocessed =
  | { readonly kind: 'line'; readonly text: string; readonly indent: number }
  | { readonly kind: 'skip' };

const DEFINITION = /^\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** Substitution must end: a definition that names itself would grow for ever. */
const MAX_PASSES = 32;
const MAX_LINE_CHARS = 64 * 1024;

/**
 * `text` is a decommented line (lexer.ts decomment), `dir` the directory of its file (${_PWD}).
 * Returns the line to tokenize, or skip for a definition or a conditional line that does not apply.
 */
export function preprocess(text: string, indent: number, at: SourceRef, dir: string, pre: Preprocessor, continued: boolean): Preprocessed {
  let line = text;
  let offset = indent;
  if (line.startsWith('@')) {
    pre.conditionalSeen ??= at;
    const negate = line.startsWith('@^');
    const rest = line.slice(negate ? 2 : 1);
    const space = rest.search(/[ \t]/);
    // keepalived drops a conditional line with nothing after its id.
    if (space < 0) return { kind: 'skip' };
    const id = rest.slice(0, space);
    const matches = pre.configId !== undefined && id === pre.configId;
    if (matches === negate) return { kind: 'skip' };
    const body = rest.slice(space).replace(/^[ \t]+/, '');
    offset += line.length - body.length;
    line = body;
  }
  const definition = DEFINITION.exec(line);
  if (definition) {
    if (continued) {
      throw new KeepalivedSyntaxError(at, `multi-line parameter definition $${definition[1] ?? ''} is not supported by the importer: write the lines it expands to`);
    }
    pre.params.set(definition[1] as string, definition[2] as string);
    return { kind: 'skip' };
  }
  if (line.startsWith('~SEQ') || line.startsWith('~LST')) {
    throw new KeepalivedSyntaxError(at, `${line.slice(0, 4)} blocks are not supported by the importer: write the lines it expands to`);
  }
  if (continued) throw new KeepalivedSyntaxError(at, 'a line ending in "\\" continues only a parameter definition ($NAME=...) in keepalived');
  if (line.includes('$')) line = substitute(line, at, dir, pre);
  return { kind: 'line', text: line, indent: offset };
}

/** Replaces `${NAME}` anywhere and `$NAME` before a blank or the end; undefined names stay as written (keepalived does the same). */
function substitute(line: string, at: SourceRef, dir: string, pre: Preprocessor): string {
  const value = (name: string): string | undefined => {
    switch (name) {
      case '_PWD': return dir;
      case '_INSTANCE': return pre.configId;
      case '_HASH': return '#';
      case '_BANG': return '!';
      default: return pre.params.get(name);
    }
  };
  let current = line;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = current
      .replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => value(name) ?? whole)
      .replace(/\$([A-Za-z_][A-Za-z0-9_]*)(?=[ \t]|$)/g, (whole, name: string) => value(name) ?? whole);
    if (next.length > MAX_LINE_CHARS) break;
    if (next === current) return current;
    current = next;
  }
  throw new KeepalivedSyntaxError(at, 'parameter substitution does not end (a definition that refers to itself?)');
}
