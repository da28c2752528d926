/**
 * keepalived.conf's structure: a statement is a keyword and its words on one line; a statement
 * followed by '{' (on the same line or the next, as keepalived accepts) owns a block of
 * statements up to the matching '}'. keepalived.conf(5) "DESCRIPTION": "Keywords are placed in
 * hierarchies of blocks and subblocks, each layer being delimited by '{' and '}' pairs". Blocks
 * may span included files, since keepalived includes line by line. Every node keeps its file
 * and line.
 */
import { KeepalivedSyntaxError, where, type SourceRef, type Token } from './lexer.js';
import { readKeepalived, type ReadOptions, type ReadResult } from './reader.js';

export interface KNode {
  /** The keyword: the statement's first word. */
  readonly name: string;
  readonly args: readonly Token[];
  /** Present when a block followed: `vrrp_instance VI_1 { ... }`. */
  readonly block?: readonly KNode[];
  readonly at: SourceRef;
  /** The directory of the file the statement is in (relative script paths resolve there). */
  readonly dir: string;
}

export interface Parsed extends Omit<ReadResult, 'lines'> {
  readonly nodes: KNode[];
}

/** keepalived's deepest blocks are 3 or 4 levels; a bound keeps a hostile file from exhausting the stack. */
const MAX_NESTING = 32;

interface Building {
  name: string;
  args: Token[];
  block?: Building[];
  at: SourceRef;
  dir: string;
  /** Where its '{' is, for "never closed". */
  open?: SourceRef;
}

/** Reads and parses `path` with its includes; throws KeepalivedSyntaxError with file:line. */
export function parseKeepalived(path: string, options: ReadOptions = {}): Parsed {
  const read = readKeepalived(path, options);
  return { nodes: parseLines(read.lines), files: read.files, notes: read.notes };
}

export function parseLines(lines: ReadonlyArray<{ readonly tokens: readonly Token[]; readonly dir: string }>): KNode[] {
  const root: Building[] = [];
  const open: Building[] = [];
  const current = () => (open.length === 0 ? root : (open[open.length - 1] as Building).block as Building[]);
  /** The last statement of the current block, if it ended on the line before and has no block yet. */
  let previous: Building | undefined;

  for (const { tokens, dir } of lines) {
    let statement: Building | undefined;
    for (const token of tokens) {
      const brace = !token.quoted && (token.text === '{' || token.text === '}') ? token.text : undefined;
      const at: SourceRef = { file: token.file, line: token.line, col: token.col };
      if (brace === '{') {
        const owner = statement ?? previous;
        if (owner === undefined || owner.block !== undefined) {
          throw new KeepalivedSyntaxError(at, "'{' without a keyword before it (a block starts as `keyword ... {`)");
        }
        if (open.length >= MAX_NESTING) throw new KeepalivedSyntaxError(at, `blocks nest more than ${MAX_NESTING} deep (keepalived's own go 3 or 4 deep)`);
        owner.block = [];
        owner.open = at;
        open.push(owner);
        statement = undefined;
        previous = undefined;
      } else if (brace === '}') {
        if (open.length === 0) throw new KeepalivedSyntaxError(at, "unexpected '}': no block is open here (one '}' too many, or a '{' missing)");
        open.pop();
        statement = undefined;
        previous = undefined;
      } else if (statement === undefined) {
        statement = { name: token.text, args: [], at, dir };
        current().push(statement);
      } else {
        statement.args.push(token);
      }
    }
    previous = statement;
  }
  const unclosed = open[open.length - 1];
  if (unclosed) {
    const opened = unclosed.open ?? unclosed.at;
    throw new KeepalivedSyntaxError(opened, `'{' of ${unclosed.name} (${where(unclosed.at)}) is never closed: the files end with ${open.length} block(s) open`);
  }
  return root.map(freeze);
}

function freeze(b: Building): KNode {
  return { name: b.name, args: b.args, ...(b.block ? { block: b.block.map(freeze) } : {}), at: b.at, dir: b.dir };
}

/** A statement for the report: keyword and words, a block as `{...}`, cut when long. */
export function statement(node: KNode): string {
  const text = [node.name, ...node.args.map((t) => (/\s/.test(t.text) || t.text === '' ? JSON.stringify(t.text) : t.text))].join(' ');
  const cut = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return node.block ? `${cut} {...}` : cut;
}
