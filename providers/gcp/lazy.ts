/**
 * What create() returns: the provider, loaded in the background. @google-cloud/compute takes
 * seconds to import on a small machine, and the configuration code (which imports every plugin)
 * must not pay that; the import starts when the provider is created, so it is done by the time
 * validate() warms up, long before any takeover.
 */
import type { ProviderRequest, StatusReport, VipProvider } from '../../src/ports/vip-provider.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { ProviderDeps, ProviderGroup } from '../common/plugin.js';
import type { GcpProvider } from './provider.js';
import type { GcpOptions } from './schema.js';

export class LazyGcpProvider implements VipProvider {
  readonly kind: string;
  /** A cloud address or route has one holder at a time: a handoff is break-before-make (docs/leases.md). */
  readonly singleHolder = true;
  private readonly loaded: Promise<GcpProvider>;
  private closed = false;

  constructor(options: GcpOptions, group: ProviderGroup, deps: ProviderDeps) {
    this.kind = `gcp:${options.mode}`;
    this.loaded = import('./provider.js').then(
      (m) => new m.GcpProvider(options, group, deps),
      (err: unknown) => {
        throw new ProviderError('loading', this.kind, 'invalid', { cause: err, detail: `@google-cloud/compute could not be loaded: ${err instanceof Error ? err.message : String(err)}` });
      },
    );
    this.loaded.catch(() => undefined); // reported by the first call
  }

  async validate(signal: AbortSignal): Promise<void> {
    return (await this.loaded).validate(signal);
  }

  async status(signal: AbortSignal): Promise<StatusReport> {
    try {
      return await (await this.loaded).status(signal);
    } catch (err) {
      return { status: 'unknown', detail: err instanceof Error ? err.message : String(err) };
    }
  }

  async acquire(req: ProviderRequest): Promise<void> {
    return (await this.loaded).acquire(req);
  }

  async release(req: ProviderRequest): Promise<void> {
    return (await this.loaded).release(req);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await (await this.loaded.catch(() => undefined))?.close();
  }
}
