/** The `noop` provider for the registry (src/app/providers.ts): no options, holds the VIP in memory. */
import { z } from 'zod';
import { section } from '../../src/config/fields.js';
import type { ProviderPlugin } from '../common/plugin.js';
import { NoopProvider } from './index.js';

export const noopSchema = section({ type: z.literal('noop').describe('noop: touches no network; for tests and demos') }, 'the noop provider').transform(() => ({}));

export const noopPlugin: ProviderPlugin<typeof noopSchema> = {
  type: 'noop',
  schema: noopSchema,
  create: (_options, group, deps) => new NoopProvider(group.vips.map((v) => `${v.address}/${v.prefixLength}`), deps.logger, deps.clock),
};
