/**
 * keepalived's gratuitous ARP / unsolicited NA settings as the local provider's announcement
 * options (providers/local/README.md "Announcements", docs/configuration.md "type: local"):
 *
 * | keepalived (global_defs / vrrp_instance)                 | local provider      |
 * |----------------------------------------------------------|---------------------|
 * | vrrp_garp_master_repeat / garp_master_repeat             | garp_repeat (1-20)  |
 * | vrrp_garp_interval                                       | garp_interval       |
 * | vrrp_garp_master_delay / garp_master_delay (0 = none)    | garp_master_delay   |
 * | vrrp_garp_master_refresh / garp_master_refresh (0 = off) | garp_refresh        |
 * | vrrp_min_garp                                            | garp_repeat 1, garp_master_delay 0s |
 *
 * keepalived's own defaults (5 repeats, a second burst after 5 s, no refresh, no interval) are
 * not written: the provider's defaults (5, 5s, refresh 60s, interval 200ms) apply, and vipd's
 * refresh keeps switches' MAC tables warm where keepalived's default sends nothing.
 */
import type { SourceRef } from './lexer.js';
import type { KNode } from './parser.js';
import type { Report } from './report.js';
import { bool, duration, integer, microseconds } from './values.js';

export interface Setting<T> {
  readonly value: T;
  readonly at: SourceRef;
}

export interface GarpSettings {
  readonly repeat?: Setting<number>;
  readonly intervalMs?: Setting<number>;
  readonly masterDelayMs?: Setting<number>;
  readonly refreshMs?: Setting<number>;
}

/** The option a keyword sets, global_defs (`vrrp_` prefix) and vrrp_instance alike. */
const KEYS: Record<string, keyof GarpSettings | 'min'> = {
  garp_master_repeat: 'repeat',
  garp_interval: 'intervalMs',
  garp_master_delay: 'masterDelayMs',
  garp_master_refresh: 'refreshMs',
  min_garp: 'min',
};

/** Whether `keyword` is a garp setting this module maps (at global level with `vrrp_`). */
export function isGarpKeyword(keyword: string, level: 'global_defs' | 'vrrp_instance'): boolean {
  const bare = level === 'global_defs' ? keyword.replace(/^vrrp_/, '') : keyword;
  if (level === 'global_defs' && bare === keyword) return false;
  // vrrp_garp_interval is global only; per-instance garp_interval does not exist in keepalived.
  if (level === 'vrrp_instance' && (bare === 'garp_interval' || bare === 'min_garp')) return false;
  return Object.hasOwn(KEYS, bare);
}

/** `node` is one garp statement; returns the settings with it applied (later statements win, as in keepalived). */
export function applyGarp(settings: GarpSettings, node: KNode, level: 'global_defs' | 'vrrp_instance', report: Report): GarpSettings {
  const key = KEYS[level === 'global_defs' ? node.name.replace(/^vrrp_/, '') : node.name];
  const value = node.args[0]?.text;
  const bad = (rule: string) => {
    report.unmapped(node.at, `${node.name} ${value ?? ''}`.trim(), `must be ${rule} for vipd's local provider; the provider's default applies`);
    return settings;
  };
  switch (key) {
    case 'min': {
      const on = bool(value);
      if (on === undefined) return bad('on or off');
      if (!on) return settings;
      return { ...settings, repeat: { value: 1, at: node.at }, masterDelayMs: { value: 0, at: node.at } };
    }
    case 'repeat': {
      const n = integer(value);
      if (n === undefined || n < 1 || n > 20) return bad('an integer 1-20 (announcements in a burst)');
      return { ...settings, repeat: { value: n, at: node.at } };
    }
    case 'intervalMs': {
      const us = microseconds(value);
      if (us === undefined || us > 10_000_000) return bad('0-10 seconds');
      const ms = Math.round(us / 1000);
      if (ms * 1000 !== us) report.note(node.at, `${node.name} ${value ?? ''}`, `rounded to ${duration(ms)}: vipd spaces announcements in whole milliseconds`);
      return { ...settings, intervalMs: { value: ms, at: node.at } };
    }
    case 'masterDelayMs': {
      const us = microseconds(value);
      if (us === undefined || us > 3_600_000_000) return bad('0-3600 seconds');
      return { ...settings, masterDelayMs: { value: Math.round(us / 1000), at: node.at } };
    }
    case 'refreshMs': {
      const us = microseconds(value);
      if (us === undefined || us > 86_400_000_000 || (us > 0 && us < 1_000_000)) return bad('0 (never) or 1-86400 seconds');
      return { ...settings, refreshMs: { value: Math.round(us / 1000), at: node.at } };
    }
    default:
      return settings;
  }
}

/** The local provider's fields for these settings, in the provider schema's order. */
export function garpFields(settings: GarpSettings): { fields: Record<string, unknown>; origins: [string, SourceRef][] } {
  const fields: Record<string, unknown> = {};
  const origins: [string, SourceRef][] = [];
  const put = (field: string, value: unknown, at: SourceRef) => {
    fields[field] = value;
    origins.push([field, at]);
  };
  if (settings.repeat) put('garp_repeat', settings.repeat.value, settings.repeat.at);
  if (settings.intervalMs) put('garp_interval', duration(settings.intervalMs.value), settings.intervalMs.at);
  if (settings.masterDelayMs) put('garp_master_delay', duration(settings.masterDelayMs.value), settings.masterDelayMs.at);
  if (settings.refreshMs) put('garp_refresh', duration(settings.refreshMs.value), settings.refreshMs.at);
  return { fields, origins };
}
