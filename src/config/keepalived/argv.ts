/**
 * A keepalived script string (vrrp_script `script`, `notify_master`, ...) as the argv vipd
 * runs without a shell (docs/health-checks.md, docs/notify.md).
 *
 * keepalived ≥ 2 splits the string itself and execs it without a shell (keepalived.conf(5)
 * "Quoted strings": "unquoted spaces will separate the parameters", single quotes keep a
 * parameter whole, backslash escapes as in the shell; core/notify.c execve), except a script
 * whose first word is a redirection (`</dev/tcp/127.0.0.1/80`), which it runs with system(),
 * that is /bin/sh. keepalived 1.x ran every script through /bin/sh. So: a string without shell
 * syntax becomes its words; one with shell syntax (`||`, `|`, `;`, `$(...)`, `>`) outside
 * quotes becomes `[/bin/sh, -c, STRING]`, and the import says so: under keepalived ≥ 2 those
 * characters were plain arguments.
 */

export type ScriptCommand =
  | { readonly ok: true; readonly argv: string[]; readonly shell: false }
  | { readonly ok: true; readonly argv: ['/bin/sh', '-c', string]; readonly shell: true; readonly why: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Characters that make a shell command outside quotes: pipes, lists, redirections, subshells,
 * expansions. Glob characters are not among them: keepalived ≥ 2 passes `*` as it is, and so does
 * an argv.
 */
const SHELL_SYNTAX = /[|&;<>()`$]/;

export function scriptCommand(script: string): ScriptCommand {
  const split = splitWords(script);
  if (!split.ok) return split;
  const first = split.words[0];
  if (first === undefined) return { ok: false, reason: 'the script is empty' };
  if (first.startsWith('<') || first.startsWith('>')) {
    return { ok: true, argv: ['/bin/sh', '-c', script], shell: true, why: 'a redirection, which keepalived runs with /bin/sh (system()) too' };
  }
  if (split.shellSyntax !== undefined) {
    return {
      ok: true, argv: ['/bin/sh', '-c', script], shell: true,
      why: `it has shell syntax (${JSON.stringify(split.shellSyntax)}): keepalived 1.x ran it with /bin/sh, keepalived ≥ 2 passes such words to the program as plain arguments; check which one you meant`,
    };
  }
  return { ok: true, argv: split.words, shell: false };
}

/**
 * keepalived's alloc_strvec_quoted_escaped: words split at unquoted blanks, '...' and "..."
 * keep blanks, backslash escapes (\n, \t, \xHH, \NNN octal, \C = C). Also reports the first
 * shell character seen outside quotes.
 */
export function splitWords(text: string): { ok: true; words: string[]; shellSyntax?: string } | { ok: false; reason: string } {
  const words: string[] = [];
  let shellSyntax: string | undefined;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /[ \t]/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let word = '';
    let quote: string | undefined;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '\\') {
        const escaped = escape(text, i + 1);
        if (escaped === undefined) return { ok: false, reason: 'ends with a lone backslash' };
        word += escaped.char;
        i = escaped.next;
        continue;
      }
      if (quote !== undefined) {
        if (c === quote) quote = undefined;
        else word += c;
        i++;
        continue;
      }
      if (/[ \t]/.test(c)) break;
      if (c === '"' || c === "'") quote = c;
      else {
        if (shellSyntax === undefined && SHELL_SYNTAX.test(c)) shellSyntax = c === '|' || c === '&' ? text.slice(i, i + 2).replace(/[^|&]/g, '') : c;
        word += c;
      }
      i++;
    }
    if (quote !== undefined) return { ok: false, reason: `a ${quote === '"' ? 'double' : 'single'} quote is not closed` };
    words.push(word);
  }
  return shellSyntax === undefined ? { ok: true, words } : { ok: true, words, shellSyntax };
}

const SIMPLE: Record<string, string> = { a: '\x07', b: '\b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function escape(text: string, i: number): { char: string; next: number } | undefined {
  const c = text[i];
  if (c === undefined) return undefined;
  const hex = /^x([0-9a-fA-F]{1,2})/.exec(text.slice(i));
  if (hex) return { char: String.fromCharCode(parseInt(hex[1] as string, 16)), next: i + hex[0].length };
  const octal = /^[0-7]{1,3}/.exec(text.slice(i));
  if (octal) return { char: String.fromCharCode(parseInt(octal[0], 8) & 0xff), next: i + octal[0].length };
  if (c === 'c' && text[i + 1] !== undefined) return { char: String.fromCharCode((text.charCodeAt(i + 1)) & 0x1f), next: i + 2 };
  return { char: SIMPLE[c] ?? c, next: i + 1 };
}

/** A command for the YAML comment / report: its words, space separated. */
export function showCommand(argv: readonly string[]): string {
  return argv.map((w) => (/[\s'"]/.test(w) || w === '' ? JSON.stringify(w) : w)).join(' ');
}
