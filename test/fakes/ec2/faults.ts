/**
 * Injected faults: which request gets which misbehaviour. A rule matches an action (or every
 * action) and fires `times` times (default once, or without limit when it has a
 * `probability`), each time with that probability drawn from the fake's seeded generator.
 * Kinds: `throttle` (503 RequestLimitExceeded, retried by SDKs), `server-error`
 * (500 InternalError), `hang` (not applied, and no answer until the client gives up or the
 * fake closes), `lost-response` (the action is applied, then the connection is destroyed
 * unanswered) and `stale-read` (a Describe* answers from the state as it was `staleMs` ago: eventual
 * consistency, EC2 API reference "Eventual consistency in the Amazon EC2 API").
 */
import type { Rng } from './rng.js';

export type FaultKind = 'throttle' | 'server-error' | 'hang' | 'lost-response' | 'stale-read';
export const FAULT_KINDS: readonly FaultKind[] = ['throttle', 'server-error', 'hang', 'lost-response', 'stale-read'];

export interface FaultSpec {
  action?: string;
  kind: FaultKind;
  times?: number;
  probability?: number;
  staleMs?: number;
}

interface Rule {
  readonly spec: FaultSpec;
  remaining: number;
}

export class FaultPlan {
  private rules: Rule[] = [];

  constructor(private readonly rng: Rng) {}

  add(spec: FaultSpec, knownActions: readonly string[]): void {
    if (!FAULT_KINDS.includes(spec.kind)) throw new Error(`inject: unknown fault kind '${String(spec.kind)}' (one of ${FAULT_KINDS.join(', ')})`);
    if (spec.action !== undefined && !knownActions.includes(spec.action)) {
      throw new Error(`inject: unknown action '${spec.action}' (the fake serves ${knownActions.join(', ')})`);
    }
    if (spec.probability !== undefined && !(spec.probability > 0 && spec.probability <= 1)) {
      throw new Error(`inject: probability must be in (0, 1], got ${spec.probability}`);
    }
    if (spec.kind === 'stale-read' && spec.action !== undefined && !spec.action.startsWith('Describe')) {
      throw new Error(`inject: stale-read applies to Describe* actions, not ${spec.action}`);
    }
    const remaining = spec.times ?? (spec.probability === undefined ? 1 : Number.POSITIVE_INFINITY);
    this.rules.push({ spec: { ...spec }, remaining });
  }

  clear(): void {
    this.rules = [];
  }

  /**
   * The faults that fire for one request of `action`: a failure (throttle, server-error or
   * hang: the first matching rule that fires) and nothing else; otherwise a lost-response
   * and/or a stale-read. A rule is only used up when it fires.
   */
  draw(action: string, isRead: boolean): { failure?: FaultSpec; lose: boolean; staleMs?: number } {
    const fires = (rule: Rule, kinds: readonly FaultKind[]): boolean => {
      const s = rule.spec;
      if (rule.remaining <= 0 || !kinds.includes(s.kind) || (s.action !== undefined && s.action !== action)) return false;
      if (s.probability !== undefined && this.rng() >= s.probability) return false;
      rule.remaining--;
      return true;
    };
    const failure = this.rules.find((r) => fires(r, ['throttle', 'server-error', 'hang']));
    if (failure) return { failure: failure.spec, lose: false };
    const lose = this.rules.some((r) => fires(r, ['lost-response']));
    const stale = isRead ? this.rules.find((r) => fires(r, ['stale-read'])) : undefined;
    return { lose, staleMs: stale ? (stale.spec.staleMs ?? 1000) : undefined };
  }
}
