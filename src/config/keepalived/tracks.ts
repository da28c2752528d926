/**
 * An instance's (or a sync group's) `track_script`, `track_file`, `track_process` and
 * `track_interface` blocks as the group's `track:` list: a check's name, or `{check, weight}`
 * when the weight differs from the check's own (docs/health-checks.md; keepalived's weight
 * rules are vipd's: > 0 adds while OK, < 0 subtracts while failing, 0 is Fault).
 *
 * keepalived ignores weights in two cases (keepalived vrrp/vrrp.c, after "In case of VRRP SYNC,
 * we have to carefully check that we are not running floating priorities"): in a member of a
 * vrrp_sync_group without sync_group_tracking_weight, and in an address owner (priority 255).
 * Then a weighted interface becomes unweighted (sync group) or untracked (owner), a weighted
 * script or process is not tracked, a file with the default weight 1 becomes weight 0 and one
 * with another weight is not tracked. The import does the same, and says so.
 */
import { interfaceNameProblem } from '../schema.js';
import { parseWeightWords, type CheckDef, type CheckKind, type CheckRegistry } from './checks.js';
import type { SourceRef } from './lexer.js';
import { statement, type KNode } from './parser.js';
import type { Report } from './report.js';

export type TrackValue = string | { readonly check: string; readonly weight: number };

export interface TrackOut {
  readonly value: TrackValue;
  readonly at: SourceRef;
  readonly def: CheckDef;
}

export interface TrackContext {
  readonly checks: CheckRegistry;
  /** The group's own report; paths are relative to the group. */
  readonly report: Report;
  /** Why keepalived would ignore weights here, if it would. */
  readonly restrict?: 'sync group' | 'address owner';
  /** The tracks so far (a check is tracked once). */
  readonly tracked: TrackOut[];
}

const KIND_OF: Record<string, CheckKind> = { track_script: 'script', track_file: 'file', track_process: 'process', track_interface: 'interface' };
const DEFINER: Record<CheckKind, string> = { script: 'vrrp_script', file: 'track_file', process: 'vrrp_track_process', interface: '' };
/** keepalived's weight ranges per tracker. */
const MAX_WEIGHT: Record<CheckKind, number> = { script: 253, file: 254, process: 254, interface: 253 };

export const isTrackBlock = (name: string): boolean => Object.hasOwn(KIND_OF, name);

/** Appends the block's entries to `ctx.tracked`. */
export function readTrackBlock(block: KNode, ctx: TrackContext): void {
  const kind = KIND_OF[block.name] as CheckKind;
  const path = ['track'];
  for (const line of block.block ?? []) {
    const words = line.args.map((t) => t.text);
    const shown = statement(line);
    let override: { weight: number; reverse: boolean } | undefined;
    if (words.length > 0) {
      override = words[0] === 'weight' ? parseWeightWords(words.slice(1), MAX_WEIGHT[kind]) : undefined;
      if (override === undefined) {
        ctx.report.unmapped(line.at, `${block.name} { ${shown} }`, `expected NAME [weight W] [reverse|noreverse] with W in ±${MAX_WEIGHT[kind]}: not tracked`, path);
        continue;
      }
    }
    let def: CheckDef | undefined;
    if (kind === 'interface') {
      const problem = interfaceNameProblem(line.name);
      if (problem !== undefined) {
        ctx.report.unmapped(line.at, `track_interface { ${shown} }`, `not a Linux interface name: ${problem}`, path);
        continue;
      }
      def = ctx.checks.interfaceCheck(line.name, line.at);
    } else {
      def = ctx.checks.get(kind, line.name);
      if (def === undefined) {
        ctx.report.unmapped(line.at, `${block.name} { ${shown} }`, `no ${DEFINER[kind]} ${line.name} was imported (undefined, or it could not be): not tracked`, path);
        continue;
      }
    }
    addTrack(def, override, line.at, `${block.name} { ${shown} }`, ctx);
  }
}

function addTrack(def: CheckDef, override: { weight: number; reverse: boolean } | undefined, at: SourceRef, shown: string, ctx: TrackContext): void {
  const path = ['track'];
  let weight = override?.weight ?? def.weight;
  const reverse = override ? override.reverse : def.reverse;
  if (reverse) {
    ctx.report.unmapped(at, shown, 'reverse (the priority moves the other way) has no vipd equivalent: not tracked', path);
    return;
  }
  if (ctx.tracked.some((t) => t.def === def)) {
    ctx.report.note(at, shown, `${def.name} is tracked already; vipd counts a check once per group`, path);
    return;
  }
  if (ctx.restrict !== undefined && weight !== 0) {
    const why = ctx.restrict === 'sync group'
      ? 'keepalived ignores weights in a vrrp_sync_group member without sync_group_tracking_weight'
      : 'keepalived ignores weights of an address owner (priority 255)';
    const unweighted = (def.kind === 'interface' && ctx.restrict === 'sync group') || (def.kind === 'file' && weight === 1);
    if (!unweighted) {
      ctx.report.note(at, shown, `${why} (vrrp.c): not tracked, as in keepalived`, path);
      return;
    }
    ctx.report.note(at, shown, `${why} (vrrp.c): tracked with weight 0 (Fault while it fails), as in keepalived`, path);
    weight = 0;
  }
  const value: TrackValue = weight === def.weight ? def.name : { check: def.name, weight };
  ctx.tracked.push({ value, at, def });
}
