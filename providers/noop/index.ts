/**
 * The `noop` provider: holds the VIP only in its own memory and logs what a real provider would
 * do. The demo and the simulator use it; it is also handy to dry-run a configuration.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { ProviderRequest, VipProvider, StatusReport } from '../../src/ports/vip-provider.js';

export interface NoopCall {
  readonly op: 'acquire' | 'release';
  readonly term: number;
  readonly at: number;
}

export class NoopProvider implements VipProvider {
  readonly kind = 'noop';
  private held = false;
  /** Every call, in order (the simulator checks that no two nodes hold the VIP at once). */
  readonly calls: NoopCall[] = [];

  constructor(
    private readonly vips: readonly string[],
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  async validate(): Promise<void> {}

  async status(): Promise<StatusReport> {
    return { status: this.held ? 'held' : 'not-held', detail: `${this.vips.join(', ')} (in memory only)` };
  }

  async acquire(req: ProviderRequest): Promise<void> {
    this.calls.push({ op: 'acquire', term: req.term, at: this.clock.now() });
    if (!this.held) this.logger.info({ vips: this.vips, term: req.term }, `noop: would bind ${this.vips.join(', ')} (${req.reason})`);
    this.held = true;
  }

  async release(req: ProviderRequest): Promise<void> {
    this.calls.push({ op: 'release', term: req.term, at: this.clock.now() });
    if (this.held) this.logger.info({ vips: this.vips, term: req.term }, `noop: would unbind ${this.vips.join(', ')} (${req.reason})`);
    this.held = false;
  }

  isHeld(): boolean {
    return this.held;
  }
}
