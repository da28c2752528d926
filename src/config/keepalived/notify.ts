/**
 * keepalived's notify scripts as a group's `notify:` (docs/notify.md, which keeps keepalived's
 * calling conventions):
 *
 * | keepalived      | vipd notify | called with |
 * |-----------------|-------------|-------------|
 * | notify_master   | master      | its own words only, in both |
 * | notify_backup   | backup      | |
 * | notify_fault    | fault       | |
 * | notify_stop     | stop        | |
 * | notify          | script      | its words + INSTANCE NAME STATE PRIORITY, in both (NAME is vipd's group name) |
 *
 * `[username [:][groupname]]` after the script has no vipd equivalent (hooks run as vipd's
 * user). Also here: the script text a hook runs, for the AWS pattern (aws.ts).
 */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readBoundedFile } from '../files.js';
import { scriptCommand, showCommand } from './argv.js';
import { scanAws, type AwsScan } from './aws-scan.js';
import type { SourceRef } from './lexer.js';
import { statement, type KNode } from './parser.js';
import type { Report } from './report.js';

export type HookKind = 'master' | 'backup' | 'fault' | 'stop' | 'script';

export const HOOK_OF: Record<string, HookKind> = {
  notify_master: 'master', notify_backup: 'backup', notify_fault: 'fault', notify_stop: 'stop', notify: 'script',
};

export interface Hook {
  readonly kind: HookKind;
  readonly keyword: string;
  readonly argv: string[];
  readonly at: SourceRef;
  /** The statement's directory: a relative script path is looked up there. */
  readonly dir: string;
}

/** One notify_* statement; undefined (reported) when it cannot become a command. */
export function readHook(node: KNode, report: Report, path: (string | number)[]): Hook | undefined {
  const kind = HOOK_OF[node.name] as HookKind;
  const script = node.args[0]?.text;
  if (script === undefined) {
    report.unmapped(node.at, node.name, 'has no script', path);
    return undefined;
  }
  const command = scriptCommand(script);
  if (!command.ok) {
    report.unmapped(node.at, statement(node), `cannot be split into a command: ${command.reason}`, path);
    return undefined;
  }
  if (command.shell) report.note(node.at, `${node.name} ${JSON.stringify(script)}`, `runs as ${showCommand(command.argv)}: ${command.why}`, [...path, kind]);
  if (node.args.length > 1) {
    report.unmapped(node.at, `${node.name} ... ${node.args.slice(1).map((t) => t.text).join(' ')}`, 'vipd runs hooks as its own user; there is no per-script user or group', path);
  }
  return { kind, keyword: node.name, argv: command.argv, at: node.at, dir: node.dir };
}

/** The hooks that stay: a relative program path is resolved by vipd against its own working directory. */
export function relativeHookNotes(hooks: ReadonlyMap<HookKind, Hook>, report: Report, path: (string | number)[]): void {
  for (const hook of hooks.values()) {
    const program = hook.argv[0] as string;
    if (program.includes('/') && !program.startsWith('/')) {
      report.note(hook.at, `${hook.keyword} ${program}`, 'a relative path: vipd runs it from its own working directory, so write it as an absolute path', [...path, hook.kind]);
    }
  }
}

/** Scripts are text of a few KiB; a binary or a huge file is not one to read for aws calls. */
const MAX_SCRIPT_BYTES = 256 * 1024;
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'ksh', 'zsh']);

export interface HookText {
  readonly scan: AwsScan;
  /** What was read: `the command line`, or `the script PATH`. */
  readonly source: string;
  /** Why a script that the hook names could not be read (it was then not checked). */
  readonly unreadable?: string;
}

/**
 * The aws calls a hook makes: those on its command line, or, when it runs a script file (its
 * program, or `sh FILE`), those in the file. A relative path is looked up beside the keepalived
 * file that names it.
 */
export function hookCalls(hook: Hook): HookText {
  const program = hook.argv[0] as string;
  const base = program.slice(program.lastIndexOf('/') + 1);
  let file: string | undefined;
  if (SHELLS.has(base)) {
    if (hook.argv[1] === '-c') return { scan: scanAws(hook.argv[2] ?? ''), source: 'the command line' };
    file = hook.argv.slice(1).find((a) => !a.startsWith('-'));
  } else if (base !== 'aws') {
    file = program;
  }
  const line = scanAws(hook.argv.map((w) => (/[\s'"$]/.test(w) ? `'${w.replace(/'/g, "'\\''")}'` : w)).join(' '));
  if (file === undefined || !file.includes('/')) return { scan: line, source: 'the command line' };
  const absolute = isAbsolute(file) ? file : resolve(hook.dir, file);
  // Shown as the keepalived file's own name is shown: relative to where the user pointed.
  const shown = isAbsolute(file) ? file : join(dirname(hook.at.file), file);
  const read = readBoundedFile(absolute, MAX_SCRIPT_BYTES, 'not a notify script');
  if (!read.ok) return { scan: line, source: 'the command line', unreadable: `${shown}: ${read.reason}` };
  if (read.bytes.includes(0)) return { scan: line, source: 'the command line', unreadable: `${shown}: a binary, not a script` };
  return { scan: scanAws(read.bytes.toString('utf8')), source: `the script ${shown}` };
}
