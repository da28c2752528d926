/**
 * The `local` provider's mapping in the configuration file (docs/configuration.md, "Providers"),
 * and its options: the snake_case keys of the file become LocalProviderOptions' own names,
 * durations in milliseconds. Defaults are the provider's (DEFAULT_ANNOUNCE in types.ts), so an
 * option the file leaves out is absent here.
 */
import { z } from 'zod';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { duration, IFNAMSIZ, section } from '../../src/config/fields.js';
import type { AnnounceSchedule } from './types.js';

/** What the file sets; create() adds the group's interface and VIPs (plugin.ts). */
export interface LocalConfig {
  readonly label?: string | false;
  readonly announce: Partial<AnnounceSchedule>;
  readonly detectConflicts?: boolean;
}

/**
 * A refresh more often than once a second would flood the link with announcements for no gain
 * (the 60 s default is well inside switches' MAC ageing time, types.ts).
 */
const garpRefresh = duration('one announcement this often while master, 0 = never; default 60s', { minMs: 0, maxMs: 86_400_000 }).superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed.ok && parsed.ms > 0 && parsed.ms < 1000) {
    ctx.addIssue({ code: 'custom', message: `must be 0 (never) or at least 1s; got ${formatDuration(parsed.ms)}`, input: value });
  }
});

const mapping = section(
  {
    type: z.literal('local').describe('local: add the VIPs to the interface and announce them (gratuitous ARP / unsolicited NA)'),
    label: z.union([z.string().regex(/^[^\s]{1,15}$/).refine((text) => Buffer.byteLength(text, 'utf8') < IFNAMSIZ), z.literal(false)]).optional()
      .describe('label for IPv4 VIPs (ip addr ... label), default "IF:vip" when it fits in 15 characters; false = none'),
    garp_repeat: z.number().int().min(1).max(20).optional().describe('announcements in a burst on becoming master, default 5 (keepalived vrrp_garp_master_repeat)'),
    garp_interval: duration('between announcements of a burst, default 200ms', { minMs: 0, maxMs: 10_000 }).optional(),
    garp_master_delay: duration('a second burst this long after becoming master, 0 = none; default 5s (keepalived vrrp_garp_master_delay)', { minMs: 0, maxMs: 3_600_000 }).optional(),
    garp_refresh: garpRefresh.optional(),
    detect_conflicts: z.boolean().optional().describe('probe for another host answering for a VIP after acquiring and at each refresh, default true'),
  },
  'the local provider',
);

/** The fields passed the mapping's checks, so every duration parses. */
function ms(value: string | number | undefined): number | undefined {
  const parsed = value === undefined ? undefined : parseDuration(value);
  return parsed?.ok ? parsed.ms : undefined;
}

export const localSchema = mapping.transform((raw): LocalConfig => {
  const announce: { -readonly [K in keyof AnnounceSchedule]?: AnnounceSchedule[K] } = {};
  if (raw.garp_repeat !== undefined) announce.burstCount = raw.garp_repeat;
  const interval = ms(raw.garp_interval);
  if (interval !== undefined) announce.burstIntervalMs = interval;
  const delay = ms(raw.garp_master_delay);
  if (delay !== undefined) announce.secondBurstDelayMs = delay;
  const refresh = ms(raw.garp_refresh);
  if (refresh !== undefined) announce.refreshIntervalMs = refresh;
  return {
    ...(raw.label !== undefined && { label: raw.label }),
    announce,
    ...(raw.detect_conflicts !== undefined && { detectConflicts: raw.detect_conflicts }),
  };
});
