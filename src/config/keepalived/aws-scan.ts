/**
 * Finds `aws ec2 ...` calls in a notify script (or a notify command line), the way keepalived
 * setups on AWS move an address on takeover:
 *
 *   aws ec2 assign-private-ip-addresses --network-interface-id eni-… --private-ip-addresses 192.0.2.50 --allow-reassignment
 *   aws ec2 associate-address --allocation-id eipalloc-… --instance-id $ID --allow-reassociation
 *   aws ec2 replace-route --route-table-id rtb-… --destination-cidr-block 203.0.113.0/24 --instance-id $ID
 *
 * A small reading of sh: lines (with `\` continuations), comments, quotes, the operators that
 * separate commands (; && || | & ( ) $( `), and `NAME=value` assignments of literal values,
 * which are substituted into later words. A value that is still a variable after that (an id
 * read from the metadata service at run time) is "unresolved": vipd finds such ids itself
 * (IMDS), or the call cannot be converted.
 */

export interface AwsCall {
  /** The ec2 subcommand: associate-address, replace-route, ... */
  readonly sub: string;
  /** `--option` -> its values (words up to the next option); flags have none. */
  readonly options: ReadonlyMap<string, readonly string[]>;
  /** `--region` before or after `ec2`, or AWS_REGION / AWS_DEFAULT_REGION set in the script. */
  readonly region?: string;
  /** 1-based line in the text. */
  readonly line: number;
}

export interface AwsScan {
  readonly calls: AwsCall[];
  /** Commands that are neither aws calls nor bookkeeping (echo, logger, metadata lookups): they would no longer run. */
  readonly others: { readonly line: number; readonly text: string }[];
}

/** Words that do nothing a takeover depends on. */
const BOOKKEEPING = new Set(['echo', 'printf', 'logger', 'exit', 'return', 'true', 'false', ':', 'sleep', 'set', 'shift', 'export', 'readonly', 'local',
  'declare', 'if', 'then', 'else', 'elif', 'fi', 'case', 'esac', 'in', 'do', 'done', 'for', 'while', 'until', '[', '[[', 'test', ']]', ']', '!', ';;', 'exec', 'date', 'trap', 'umask']);
const WRAPPERS = new Set(['sudo', 'exec', 'command', 'nohup', 'env', 'time']);

export function scanAws(text: string): AwsScan {
  const calls: AwsCall[] = [];
  const others: { line: number; text: string }[] = [];
  const vars = new Map<string, string>();
  const lines = joinContinuations(text);
  for (const { text: line, number } of lines) {
    if (number === 1 && line.startsWith('#!')) continue;
    for (const command of simpleCommands(line)) {
      const words = command.map((w) => expand(w, vars));
      let i = 0;
      // Leading assignments: `NAME=value cmd` or a line of them.
      while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] as string)) i++;
      const assignments = words.slice(0, i);
      if (i === words.length || ['export', 'readonly', 'local', 'declare'].includes(words[0] as string)) {
        for (const a of (i === words.length ? assignments : words.slice(1))) {
          const eq = a.indexOf('=');
          if (eq > 0 && !a.slice(eq + 1).includes('$') && !a.includes('`')) vars.set(a.slice(0, eq), a.slice(eq + 1));
        }
        continue;
      }
      while (i < words.length && WRAPPERS.has(words[i] as string)) i++;
      if (words[i] === 'timeout') i += 2;
      const program = words[i];
      if (program === undefined) continue;
      const base = program.slice(program.lastIndexOf('/') + 1);
      if (base === 'aws') {
        const call = readAwsCall(words.slice(i + 1), number, regionOf(assignments, vars));
        if (call) calls.push(call);
        continue;
      }
      if (BOOKKEEPING.has(base) || /169\.254\.169\.254|ec2-metadata|instance-identity/.test(command.join(' '))) continue;
      others.push({ line: number, text: command.join(' ').slice(0, 80) });
    }
  }
  return { calls, others };
}

function regionOf(assignments: readonly string[], vars: ReadonlyMap<string, string>): string | undefined {
  for (const a of assignments) {
    const m = /^AWS_(?:DEFAULT_)?REGION=(.*)$/.exec(a);
    if (m && !(m[1] as string).includes('$')) return m[1];
  }
  return vars.get('AWS_REGION') ?? vars.get('AWS_DEFAULT_REGION');
}

/** `aws [--region R ...] ec2 SUB [--opt v ...]`, or undefined when it is not an ec2 call. */
function readAwsCall(words: readonly string[], line: number, envRegion: string | undefined): AwsCall | undefined {
  const ec2 = words.indexOf('ec2');
  if (ec2 < 0) return undefined;
  const global = optionsOf(words.slice(0, ec2));
  const sub = words[ec2 + 1];
  if (sub === undefined) return undefined;
  const options = optionsOf(words.slice(ec2 + 2));
  const region = options.get('--region')?.[0] ?? global.get('--region')?.[0] ?? envRegion;
  return { sub, options, line, ...(region !== undefined && { region }) };
}

function optionsOf(words: readonly string[]): Map<string, string[]> {
  const options = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const w of words) {
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq > 0 ? w.slice(0, eq) : w;
      current = eq > 0 ? [w.slice(eq + 1)] : [];
      options.set(name, current);
    } else if (current) {
      // AWS CLI lists: `--private-ip-addresses a b` or `a,b`.
      current.push(...w.split(',').filter((x) => x !== ''));
    }
  }
  return options;
}

/** `$NAME` and `${NAME}` of literal assignments; anything else stays (and counts as unresolved). */
function expand(word: string, vars: ReadonlyMap<string, string>): string {
  return word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a: string | undefined, b: string | undefined) => vars.get((a ?? b) as string) ?? whole);
}

export const unresolved = (value: string | undefined): boolean => value === undefined || value.includes('$') || value.includes('`');

function joinContinuations(text: string): { text: string; number: number }[] {
  const out: { text: string; number: number }[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const number = i + 1;
    let line = raw[i] as string;
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + (raw[++i] as string);
    out.push({ text: line.trim(), number });
  }
  return out;
}

/**
 * The simple commands of one line, as words: split at unquoted ; & | ( ) ` and at `$(`; a `#`
 * at the start of a word starts a comment. Quotes group and are removed; `$(...)` inside
 * double quotes is kept whole in its word (it is unresolved anyway).
 */
function simpleCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: string | undefined;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '$' && line[i + 1] === '(') {
      // A command substitution: what it runs is its own command; the word it makes is unresolved.
      word += '$';
      inWord = true;
      endCommand();
      i++;
    } else if (';&|()`'.includes(c)) {
      endCommand();
    } else {
      word += c;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}
