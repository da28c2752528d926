/**
 * The simulated network: a LinkModel for the in-memory hubs with per-link latency, jitter,
 * loss, duplication, reordering, partitions (both ways) and cuts (one way), all drawn from the
 * seeded Rng.
 */
import type { LinkModel } from '../fakes/memory-transport.js';
import type { Rng } from './rng.js';

export interface LinkParams {
  /** One-way delay, ms. */
  latencyMs: number;
  /** Extra uniform delay in [0, jitterMs). */
  jitterMs: number;
  /** Probability a message is lost. */
  loss: number;
  /** Probability a message arrives twice. */
  duplicate: number;
  /** Probability a message is held back by `reorderDelayMs`, so later ones overtake it. */
  reorder: number;
  reorderDelayMs: number;
}

export const perfectLink: LinkParams = { latencyMs: 1, jitterMs: 0, loss: 0, duplicate: 0, reorder: 0, reorderDelayMs: 0 };

export class SimNetwork implements LinkModel {
  /** Defaults for every link; `links` overrides per directed link "from>to". */
  params: LinkParams;
  readonly links = new Map<string, Partial<LinkParams>>();
  private readonly blocked = new Set<string>();
  sent = 0;
  lost = 0;

  constructor(
    private readonly rng: Rng,
    params: Partial<LinkParams> = {},
  ) {
    this.params = { ...perfectLink, ...params };
  }

  deliveries(from: string, to: string): readonly number[] {
    this.sent++;
    const link = `${from}>${to}`;
    if (this.blocked.has(link)) {
      this.lost++;
      return [];
    }
    // Every message of every node comes here (BFD packets most of all): no copy without an override.
    const override = this.links.size === 0 ? undefined : this.links.get(link);
    const p = override ? { ...this.params, ...override } : this.params;
    if (p.loss > 0 && this.rng.chance(p.loss)) {
      this.lost++;
      return [];
    }
    const one = (): number => {
      let d = p.latencyMs + (p.jitterMs > 0 ? this.rng.next() * p.jitterMs : 0);
      if (p.reorder > 0 && this.rng.chance(p.reorder)) d += p.reorderDelayMs;
      return d;
    };
    const first = one();
    return p.duplicate > 0 && this.rng.chance(p.duplicate) ? [first, one()] : [first];
  }

  /** Cuts every link between the two sides, both ways. */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) {
      this.blocked.add(`${x}>${y}`);
      this.blocked.add(`${y}>${x}`);
    }
  }

  /** Cuts one direction only (asymmetric failure). */
  cut(from: string, to: string): void {
    this.blocked.add(`${from}>${to}`);
  }

  heal(): void {
    this.blocked.clear();
  }

  /** Whether any link is cut now. */
  anyCut(): boolean {
    return this.blocked.size > 0;
  }

  /**
   * Whether a stream can exist between the two (test/fakes/memory-membership.ts StreamModel):
   * a stream needs both directions, so a one-way cut breaks it too, as it would a TCP stream.
   */
  connected(from: string, to: string): boolean {
    return !this.blocked.has(`${from}>${to}`) && !this.blocked.has(`${to}>${from}`);
  }
}
