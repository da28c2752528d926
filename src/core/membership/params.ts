/**
 * Defaults for the parameters configuration does not set (memberlist DefaultLANConfig, with its
 * probe timing replaced by vipd's presets: LAN probe 200 ms / timeout 100 ms / k 3).
 */
import type { MembershipParams } from './types.js';

/** What configuration provides (config/presets.ts `membership`), plus who we are. */
export interface MembershipBasics {
  readonly self: { readonly id: string; readonly address: string };
  readonly seeds?: readonly string[];
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectProbes: number;
  readonly suspicionMultiplier: number;
}

export const MEMBERSHIP_DEFAULTS = Object.freeze({
  suspicionMaxMultiplier: 6,
  expectedConfirmations: 3,
  retransmitMultiplier: 4,
  reapAfterMs: 30_000,
  pushPullIntervalMs: 30_000,
  awarenessMax: 8,
  gossipNodes: 3,
  gossipToTheDeadMs: 30_000,
  joinRetryMs: 1_000,
  maxGossipPerMessage: 16,
  probeSuspectsFirst: true,
  goneSuspicionMultiplier: 1,
});

/**
 * Full parameters from the configured basics. The gossip round runs at half the probe interval
 * (memberlist LAN: 200 ms rounds for 1 s probes), so news outruns the probes that confirm it.
 */
export function membershipParams(basics: MembershipBasics, overrides: Partial<MembershipParams> = {}): MembershipParams {
  return {
    ...MEMBERSHIP_DEFAULTS,
    seeds: [],
    gossipIntervalMs: Math.max(10, Math.round(basics.probeIntervalMs / 2)),
    ...basics,
    ...overrides,
  };
}
