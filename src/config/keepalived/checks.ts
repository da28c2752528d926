/**
 * keepalived's trackers as vipd `checks:` (docs/health-checks.md: keepalived's vrrp_script
 * semantics, typed):
 *
 * | keepalived                                   | vipd check |
 * |----------------------------------------------|------------|
 * | vrrp_script NAME { script interval timeout rise fall weight init_fail } | type exec, same fields; `script` as argv (argv.ts) |
 * | track_file / vrrp_track_file NAME { file weight } | type file, path, weight (default 1, as keepalived's) |
 * | vrrp_track_process NAME { process weight }   | type process |
 * | track_interface { IF [weight W] } in an instance | type interface, one check per interface, the weight per group |
 *
 * Every definition is written, tracked or not (vipd runs only tracked checks, as keepalived
 * runs only tracked scripts). A `reverse` weight has no vipd equivalent: the check is written,
 * and a group that would use the reversed weight does not track it (reported there).
 */
import { isAbsolute, resolve } from 'node:path';
import { scriptCommand, showCommand } from './argv.js';
import type { SourceRef } from './lexer.js';
import { statement, type KNode } from './parser.js';
import { Report } from './report.js';
import { Timing } from './check-timing.js';
import { integer, Names } from './values.js';

export type CheckKind = 'script' | 'file' | 'process' | 'interface';

export interface CheckDef {
  readonly kind: CheckKind;
  /** keepalived's name (the interface name for interface checks). */
  readonly source: string;
  /** vipd's name. */
  readonly name: string;
  /** The weight keepalived uses when a track gives none. */
  readonly weight: number;
  /** keepalived `weight W reverse`: no vipd equivalent. */
  readonly reverse: boolean;
  readonly at: SourceRef;
  /** The check as written in `checks:`. */
  readonly out: Record<string, unknown>;
  /** Field -> keepalived position, for messages about the written check. */
  readonly origins: [string, SourceRef][];
}

type NewCheck = Omit<CheckDef, 'name'>;

export class CheckRegistry {
  readonly defs: CheckDef[] = [];
  private readonly names = new Names();
  private readonly byKind = new Map<string, CheckDef>();

  constructor(private readonly report: Report) {}

  get(kind: CheckKind, source: string): CheckDef | undefined {
    return this.byKind.get(`${kind}:${source}`);
  }

  private add(def: NewCheck, prefix = ''): CheckDef {
    const name = this.names.claim(`${prefix}${def.source}`, `${def.kind}-check`);
    const full: CheckDef = { ...def, name, out: { name, ...def.out } };
    const index = this.defs.length;
    this.defs.push(full);
    // A redefinition replaces the earlier one for tracking, as keepalived's later block wins.
    const earlier = this.byKind.get(`${def.kind}:${def.source}`);
    if (earlier) this.report.note(def.at, `${def.kind === 'script' ? 'vrrp_script' : def.kind} ${def.source}`, `defined again (first at ${earlier.at.file}:${earlier.at.line}); instances track this one`, ['checks', index]);
    this.byKind.set(`${def.kind}:${def.source}`, full);
    return full;
  }

  /** Adds `def`; the entries made while reading it get its path (`checks[N]...`). */
  private finish(r: Report, def: NewCheck): void {
    this.report.absorb(r, ['checks', this.defs.length]);
    this.add(def);
  }

  /** `vrrp_script NAME { ... }`. */
  defineScript(node: KNode): void {
    const source = node.args[0]?.text;
    if (source === undefined) return this.report.unmapped(node.at, 'vrrp_script', 'has no name; nothing to track it by');
    const r = new Report();
    const at: (string | number)[] = [];
    const origins: [string, SourceRef][] = [['type', node.at]];
    let command: string[] | undefined;
    let weight = 0;
    let reverse = false;
    let initFail = false;
    const timing = new Timing(r, at);
    for (const s of node.block ?? []) {
      const value = s.args[0]?.text;
      switch (s.name) {
        case 'script': {
          if (value === undefined) break;
          const c = scriptCommand(value);
          if (!c.ok) {
            r.unmapped(s.at, statement(s), `cannot be split into a command: ${c.reason}`, at);
            break;
          }
          command = c.argv;
          origins.push(['command', s.at]);
          if (c.shell) r.note(s.at, `script ${JSON.stringify(value)}`, `runs as ${showCommand(c.argv)}: ${c.why}`, [...at, 'command']);
          if (s.args.length > 1) r.unmapped(s.at, `script ... ${s.args.slice(1).map((t) => t.text).join(' ')}`, 'vipd runs checks as its own user; there is no per-script user', at);
          break;
        }
        case 'interval': timing.interval(s); break;
        case 'timeout': timing.timeout(s); break;
        case 'rise': case 'fall': timing.count(s); break;
        case 'weight': {
          const w = parseWeight(s, 253);
          if (w === undefined) r.unmapped(s.at, statement(s), 'must be an integer -253..253 [reverse]', at);
          else {
            ({ weight, reverse } = w);
            origins.push(['weight', s.at]);
          }
          break;
        }
        case 'init_fail': initFail = true; origins.push(['init_fail', s.at]); break;
        case 'user': r.unmapped(s.at, statement(s), 'vipd runs checks as its own user; there is no per-script user', at); break;
        default: r.unmapped(s.at, statement(s), 'not a vrrp_script option vipd knows', at);
      }
    }
    if (command === undefined) {
      this.report.absorb(r, undefined);
      return this.report.unmapped(node.at, `vrrp_script ${source}`, 'has no script: nothing to run, so no check was written and instances tracking it do not track it');
    }
    const { fields: t, origins: o } = timing.fields();
    this.finish(r, {
      kind: 'script', source, weight, reverse, at: node.at,
      out: { type: 'exec', ...t, ...(weight !== 0 && { weight }), ...(initFail && { init_fail: true }), command },
      origins: [...origins, ...o],
    });
  }

  /** `track_file NAME { file PATH weight W init_file ... }` (vrrp_track_file is the old name). */
  defineFile(node: KNode): void {
    const source = node.args[0]?.text;
    if (source === undefined) return this.report.unmapped(node.at, node.name, 'has no name; nothing to track it by');
    const r = new Report();
    const at: (string | number)[] = [];
    let path: string | undefined;
    let pathAt: SourceRef = node.at;
    let weight = 1;
    let reverse = false;
    for (const s of node.block ?? []) {
      const value = s.args[0]?.text;
      if (s.name === 'file' && value !== undefined) {
        path = isAbsolute(value) ? value : resolve(node.dir, value);
        pathAt = s.at;
        if (!isAbsolute(value)) r.note(s.at, `file ${value}`, `a relative path, which vipd would read from its working directory: written as ${path}, beside the keepalived file (keepalived reads it from its own working directory: check it)`, [...at, 'path']);
      } else if (s.name === 'weight') {
        const w = parseWeight(s, 254);
        if (w === undefined) r.unmapped(s.at, statement(s), 'must be an integer -254..254 [reverse]', at);
        else ({ weight, reverse } = w);
      } else if (s.name === 'init_file') {
        r.unmapped(s.at, statement(s), `vipd does not create or reset the file, and a file check whose file cannot be read puts its groups in Fault: create it before vipd starts (e.g. echo ${s.args[0]?.text && /^-?\d+$/.test(s.args[0].text) ? s.args[0].text : 0} > ${path ?? 'FILE'})`, at);
      } else {
        r.unmapped(s.at, statement(s), 'not a track_file option vipd knows', at);
      }
    }
    if (path === undefined) {
      this.report.absorb(r, undefined);
      return this.report.unmapped(node.at, `${node.name} ${source}`, 'has no file: no check was written');
    }
    this.finish(r, {
      kind: 'file', source, weight, reverse, at: node.at,
      out: { type: 'file', ...(weight !== 1 && { weight }), path },
      origins: [['type', node.at], ['path', pathAt]],
    });
  }

  /** `vrrp_track_process NAME { process CMD [ARGS...] weight W ... }`. */
  defineProcess(node: KNode): void {
    const source = node.args[0]?.text;
    if (source === undefined) return this.report.unmapped(node.at, node.name, 'has no name; nothing to track it by');
    const r = new Report();
    const at: (string | number)[] = [];
    let process: string | undefined;
    let args: string | undefined;
    let processAt = node.at;
    let weight = 0;
    let reverse = false;
    for (const s of node.block ?? []) {
      const words = s.args.map((t) => t.text);
      if (s.name === 'process' && words[0] !== undefined) {
        const cmd = words[0];
        process = cmd.includes('/') ? cmd.slice(cmd.lastIndexOf('/') + 1) : cmd;
        processAt = s.at;
        if (process !== cmd) r.note(s.at, `process ${cmd}`, `vipd matches the process name (/proc/PID/comm, as pgrep -x): ${process}`, [...at, 'process']);
        if (words.length > 1) {
          args = words.slice(1).join(' ');
          r.note(s.at, statement(s), `vipd requires "${args}" somewhere in the command line; keepalived compares the parameters word by word`, [...at, 'args']);
        }
      } else if (s.name === 'weight') {
        const w = parseWeight(s, 254);
        if (w === undefined) r.unmapped(s.at, statement(s), 'must be an integer -254..254 [reverse]', at);
        else ({ weight, reverse } = w);
      } else if (s.name === 'quorum' && words[0] === '1') {
        // keepalived's default: one process is enough, as for vipd.
      } else {
        const why: Record<string, string> = {
          quorum: 'vipd needs one matching process; it does not count them',
          quorum_max: 'vipd needs one matching process; it does not count them',
          param_match: 'vipd matches the arguments as a substring of the command line',
          full_command: 'vipd matches the process name (/proc/PID/comm)',
          delay: 'vipd checks processes every interval (1s); there is no delay', fork_delay: 'vipd checks processes every interval (1s); there is no delay',
          terminate_delay: 'vipd checks processes every interval (1s); there is no delay',
        };
        r.unmapped(s.at, statement(s), why[s.name] ?? 'not a vrrp_track_process option vipd knows', at);
      }
    }
    if (process === undefined) {
      this.report.absorb(r, undefined);
      return this.report.unmapped(node.at, `vrrp_track_process ${source}`, 'has no process: no check was written');
    }
    this.finish(r, {
      kind: 'process', source, weight, reverse, at: node.at,
      out: { type: 'process', ...(weight !== 0 && { weight }), process, ...(args !== undefined && { args }) },
      origins: [['type', node.at], ['process', processAt]],
    });
  }

  /** The interface check for `ifname`, made on first use (weights stay per group, in `track:`). */
  interfaceCheck(ifname: string, at: SourceRef): CheckDef {
    return this.get('interface', ifname) ?? this.add({
      kind: 'interface', source: ifname, weight: 0, reverse: false, at,
      out: { type: 'interface', interface: ifname },
      origins: [['type', at], ['interface', at]],
    }, 'if-');
  }
}

/** `weight W [reverse|noreverse]` within ±max. */
export function parseWeight(node: KNode, max: number): { weight: number; reverse: boolean } | undefined {
  return parseWeightWords(node.args.map((t) => t.text), max);
}

export function parseWeightWords(words: readonly string[], max: number): { weight: number; reverse: boolean } | undefined {
  const w = integer(words[0]);
  if (w === undefined || Math.abs(w) > max) return undefined;
  const flag = words[1];
  if (flag !== undefined && flag !== 'reverse' && flag !== 'noreverse') return undefined;
  if (words.length > 2) return undefined;
  return { weight: w, reverse: flag === 'reverse' };
}
