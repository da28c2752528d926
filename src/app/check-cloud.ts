/**
 * `vipd check --cloud`: the preflight a starting node runs (docs/providers.md, validate()), for
 * every provider of every group of one file, without starting anything: credentials, that each
 * named resource exists, and permission for every action. Each result names the group and the
 * provider; a failure carries its error class and the hint (what to grant or set).
 */
import type { VipdConfig } from '../config/types.js';
import { ProviderError, type ErrorClass, type VipProvider } from '../ports/vip-provider.js';
import type { ProviderPlugin } from '../../providers/common/plugin.js';
import { makeProviderList, type ProviderHost } from './providers.js';

export type ProviderCheck =
  | { readonly group: string; readonly type: string; readonly kind: string; readonly ok: true }
  | {
      readonly group: string;
      readonly type: string;
      /** The provider's kind ("aws:eip"), or its type when it could not even be built. */
      readonly kind: string;
      readonly ok: false;
      /** A ProviderError's class; 'error' for anything else (a bug, not a cloud answer). */
      readonly errorClass: ErrorClass | 'error';
      readonly message: string;
      readonly hint?: string;
    };

export interface CloudCheckOptions {
  readonly registry: readonly ProviderPlugin[];
  /** Each validate() gets this long; then its signal is aborted and it counts as failed (transient). */
  readonly timeoutMs: number;
}

/** Validates every provider of every group side by side; results in file order. Never throws. */
export async function checkProviders(config: VipdConfig, host: ProviderHost, options: CloudCheckOptions): Promise<ProviderCheck[]> {
  const perGroup = await Promise.all(
    config.groups.map(async (g): Promise<ProviderCheck[]> => {
      let providers: VipProvider[];
      try {
        providers = makeProviderList(g, host, options.registry);
      } catch (err) {
        const type = g.providers.map((p) => p.type).join('+');
        return [failure(g.name, type, type, err)];
      }
      try {
        return await Promise.all(
          providers.map(async (provider, i): Promise<ProviderCheck> => {
            const type = g.providers[i]?.type ?? provider.kind;
            try {
              await validateWithin(provider, options.timeoutMs, host);
              return { group: g.name, type, kind: provider.kind, ok: true };
            } catch (err) {
              return failure(g.name, type, provider.kind, err);
            }
          }),
        );
      } finally {
        // SDK clients keep connections alive: the command must not hang on them.
        await Promise.allSettled(providers.map((p) => p.close?.()));
      }
    }),
  );
  return perGroup.flat();
}

/** validate(), aborted and refused after `timeoutMs` even when the provider ignores its signal. */
async function validateWithin(provider: VipProvider, timeoutMs: number, host: Pick<ProviderHost, 'clock'>): Promise<void> {
  const controller = new AbortController();
  let cancel: () => void = () => undefined;
  const timedOut = new Promise<never>((_, reject) => {
    cancel = host.clock.schedule(host.clock.now() + timeoutMs, () => {
      const error = new ProviderError('validating', provider.kind, 'transient', {
        detail: `no answer within ${timeoutMs} ms`,
        hint: 'check that the API and metadata endpoints are reachable from this node',
      });
      controller.abort(error);
      reject(error);
    });
  });
  try {
    await Promise.race([provider.validate(controller.signal), timedOut]);
  } finally {
    cancel();
  }
}

function failure(group: string, type: string, kind: string, err: unknown): ProviderCheck {
  if (err instanceof ProviderError) {
    return { group, type, kind, ok: false, errorClass: err.errorClass, message: err.message, ...(err.hint !== undefined && { hint: err.hint }) };
  }
  return { group, type, kind, ok: false, errorClass: 'error', message: err instanceof Error ? err.message : String(err) };
}
