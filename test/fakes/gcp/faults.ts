/**
 * Injected faults, drawn from a seeded generator so a failing run replays from its seed:
 * throttling (429 rateLimitExceeded, or the older 403 userRateLimitExceeded), server errors
 * (500/503), a hang (the request is held until the client gives up), a lost response (the
 * request is carried out, then the connection is destroyed), and stale reads (GETs answer from
 * the state of `staleMs` ago — eventual consistency).
 */
import { Rng } from '../../sim/rng.js';
import { backendError, rateLimited, userRateLimited, type ApiError } from './errors.js';
import { REST_METHODS } from './schema.js';

export type FaultKind = 'throttle' | 'server-error' | 'hang' | 'lost-response' | 'stale-read';

export interface Fault {
  /** API method name ("instances.updateNetworkInterface"); every method when absent. */
  method?: string;
  kind: FaultKind;
  /** How many requests it hits; unlimited when absent. */
  times?: number;
  /** Chance that a matching request is hit (default 1). */
  probability?: number;
  /** For stale-read: how old the answering snapshot is (default 1000 ms). */
  staleMs?: number;
}

interface Armed extends Fault {
  left: number;
}

/** What a request runs into. */
export type Drawn =
  | { kind: 'none' }
  | { kind: 'refuse'; error: ApiError; fault: FaultKind }
  | { kind: 'hang' }
  | { kind: 'lost-response' };

export class Faults {
  private armed: Armed[] = [];
  private readonly rng: Rng;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  inject(f: Fault): void {
    // A misspelt method would never fire, and the test meant to exercise the fault could not fail.
    if (f.method !== undefined && !REST_METHODS.some((m) => m.name === f.method))
      throw new Error(`gcp fake: no method '${f.method}' to inject a fault into (methods: ${REST_METHODS.map((m) => m.name).join(', ')})`);
    if (!['throttle', 'server-error', 'hang', 'lost-response', 'stale-read'].includes(f.kind)) throw new Error(`gcp fake: unknown fault kind '${String(f.kind)}'`);
    if (f.probability !== undefined && (f.probability < 0 || f.probability > 1)) throw new Error(`gcp fake: fault probability ${f.probability} is not in [0, 1]`);
    this.armed.push({ ...f, left: f.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.armed = [];
  }

  /**
   * The fault a request meets, if any. Stale reads apply only to GETs, and count apart from the
   * others: a GET may both read stale and be throttled.
   */
  draw(method: string, httpMethod: string): { fault: Drawn; stale?: number } {
    let stale: number | undefined;
    let fault: Drawn = { kind: 'none' };
    for (const f of this.armed) {
      if (f.left <= 0 || (f.method !== undefined && f.method !== method)) continue;
      if (f.kind === 'stale-read' && httpMethod !== 'GET') continue;
      if (f.kind === 'stale-read' ? stale !== undefined : fault.kind !== 'none') continue;
      if (f.probability !== undefined && !this.rng.chance(f.probability)) continue;
      f.left -= 1;
      if (f.kind === 'stale-read') stale = f.staleMs ?? 1000;
      else fault = this.make(f.kind);
    }
    this.armed = this.armed.filter((f) => f.left > 0);
    return stale === undefined ? { fault } : { fault, stale };
  }

  private make(kind: Exclude<FaultKind, 'stale-read'>): Drawn {
    switch (kind) {
      case 'throttle':
        return { kind: 'refuse', fault: kind, error: this.rng.chance(0.5) ? rateLimited() : userRateLimited() };
      case 'server-error':
        return { kind: 'refuse', fault: kind, error: backendError(this.rng.chance(0.5) ? 500 : 503) };
      case 'hang':
        return { kind: 'hang' };
      case 'lost-response':
        return { kind: 'lost-response' };
    }
  }
}
