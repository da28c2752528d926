/**
 * keepalived's value syntax (keepalived.conf(5) "PARAMETER SYNTAX"): <TIMER> is seconds with a
 * fraction, resolution micro-seconds; <BOOL> is on|off|true|false|yes|no; integers are decimal.
 * Also the names vipd needs (a-z, 0-9, "-"), made from keepalived's (VI_1, chk_haproxy).
 */
import { formatDuration } from '../duration.js';

/** Whole microseconds, or undefined for anything that is not a non-negative decimal. */
export function microseconds(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^(\d{1,9})(?:\.(\d{1,6})\d*)?$/.exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** Rounded to the nearest `stepUs` (keepalived rounds advert_int so, vrrp.c). */
export function roundTo(us: number, stepUs: number): number {
  return Math.round(us / stepUs) * stepUs;
}

/** A vipd duration for whole milliseconds: "1s", "1.5s", "100ms". */
export function duration(ms: number): string {
  return formatDuration(ms);
}

export function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^[-+]?\d{1,10}$/.test(text) ? Number(text) : undefined;
}

/** A flag with no value is on; otherwise keepalived's spellings. */
export function bool(text: string | undefined): boolean | undefined {
  if (text === undefined) return true;
  const t = text.toLowerCase();
  if (['on', 'true', 'yes'].includes(t)) return true;
  if (['off', 'false', 'no'].includes(t)) return false;
  return undefined;
}

const NAME_MAX = 63;

/** `VI_1` -> `vi-1`, `LVS_DEVEL` -> `lvs-devel`; undefined when nothing usable is left. */
export function vipdName(text: string): string | undefined {
  const name = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, NAME_MAX).replace(/-+$/, '');
  return name === '' ? undefined : name;
}

/** Hands out vipd names, unique within one kind (groups, checks, sync groups). */
export class Names {
  private readonly taken = new Set<string>();

  /** `wanted` made a vipd name, with -2, -3... when taken; `fallback` when nothing is usable. */
  claim(wanted: string, fallback: string): string {
    const base = vipdName(wanted) ?? fallback;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base.slice(0, NAME_MAX - String(n).length - 1)}-${n}`;
    this.taken.add(name);
    return name;
  }
}
