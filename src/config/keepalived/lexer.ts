/**
 * One line of keepalived.conf into words, the way keepalived's own reader does it
 * (keepalived lib/parser.c, `decomment`, `read_line`, `alloc_strvec_quoted`), so a file that
 * keepalived accepts reads the same here. keepalived.conf(5), "DESCRIPTION": comments start with
 * '#' or '!' and run to the end of the line; "Quoted strings": text between quotes is one word.
 */

/** A word and where it starts. `text` has its quotes removed; backslashes stay, as keepalived keeps them at this level. */
export interface Token {
  readonly text: string;
  /** Some part of the word was quoted: `"{"` is a word, not a brace. */
  readonly quoted: boolean;
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based column in the line as written. */
  readonly col: number;
}

/** Where something is in the keepalived files: every message names it. */
export interface SourceRef {
  readonly file: string;
  readonly line: number;
  readonly col?: number;
}

/** Bad syntax, an unreadable file or an include problem: always at a file and line. */
export class KeepalivedSyntaxError extends Error {
  constructor(readonly at: SourceRef, message: string) {
    super(message);
    this.name = 'KeepalivedSyntaxError';
  }
}

/** `file:line:col`; a position of line 0 is the file as a whole (it could not be read). */
export const where = (at: SourceRef): string => (at.line === 0 ? at.file : `${at.file}:${at.line}${at.col === undefined ? '' : `:${at.col}`}`);

export interface Decommented {
  /** The line without its comment and without leading and trailing blanks. */
  readonly text: string;
  /** Columns removed at the start (so token columns still match the line as written). */
  readonly indent: number;
  /** A '"' was opened and never closed on this line. */
  readonly openQuote: boolean;
  /** The line ends with a backslash: keepalived's multi-line parameter definitions. */
  readonly continued: boolean;
}

/**
 * keepalived's `decomment`: '#' and '!' start a comment outside double quotes; `\#` and `\!`
 * outside quotes are the characters themselves; inside quotes a backslash protects the next
 * character. Single quotes do not protect a comment character (keepalived only tracks '"').
 */
export function decomment(line: string): Decommented {
  const indent = line.length - line.replace(/^[ \t]+/, '').length;
  let out = '';
  let quote = false;
  let continued = false;
  for (let i = indent; i < line.length; i++) {
    const c = line[i] as string;
    if (c === '"') {
      quote = !quote;
      out += c;
    } else if (c === '\\') {
      const next = line[i + 1];
      if (next === undefined) {
        continued = true;
        break;
      }
      if (!quote && (next === '#' || next === '!')) out += next;
      else out += c + next;
      i++;
    } else if (!quote && (c === '#' || c === '!')) {
      break;
    } else {
      out += c;
    }
  }
  return { text: out.replace(/[ \t\r]+$/, ''), indent, openQuote: quote, continued };
}

const BLANK = /[ \t\r\f\v]/;

/**
 * Words of a decommented line. Quotes (" or ') group text into one word and are removed; an
 * unquoted '{' or '}' is a word of its own wherever it stands (keepalived splits the line at
 * it, read_line); a backslash keeps itself and the next character (quotes after it do not
 * count). `startCol` is the 1-based column of text[0] in the line as written.
 */
export function tokenize(text: string, at: { file: string; line: number }, startCol = 1): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (BLANK.test(c)) {
      i++;
      continue;
    }
    const col = startCol + i;
    if (c === '{' || c === '}') {
      tokens.push({ text: c, quoted: false, file: at.file, line: at.line, col });
      i++;
      continue;
    }
    let word = '';
    let quoted = false;
    let quote: string | undefined;
    while (i < text.length) {
      const ch = text[i] as string;
      if (quote !== undefined) {
        if (ch === '\\' && i + 1 < text.length) {
          word += ch + (text[i + 1] as string);
          i += 2;
        } else if (ch === quote) {
          quote = undefined;
          i++;
        } else {
          word += ch;
          i++;
        }
        continue;
      }
      if (BLANK.test(ch) || ch === '{' || ch === '}') break;
      if (ch === '"' || ch === "'") {
        quote = ch;
        quoted = true;
        i++;
      } else if (ch === '\\' && i + 1 < text.length) {
        word += ch + (text[i + 1] as string);
        i += 2;
      } else {
        word += ch;
        i++;
      }
    }
    if (quote !== undefined) {
      throw new KeepalivedSyntaxError({ ...at, col }, `unterminated ${quote === '"' ? 'double' : 'single'} quote: ${quote}${shortText(text.slice(col - startCol + 1))}`);
    }
    tokens.push({ text: word, quoted, file: at.file, line: at.line, col });
  }
  return tokens;
}

/** Long text is cut in messages, as everywhere in vipd (config/messages.ts). */
export function shortText(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
