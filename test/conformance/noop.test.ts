/** The noop provider passes the shared provider conformance suite. */
import { NoopProvider } from '../../providers/noop/index.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { providerConformance } from './provider.js';

providerConformance('noop', () => {
  const provider = new NoopProvider(['192.0.2.50/24'], silentLogger, systemClock);
  return { provider, observe: async () => (provider.isHeld() ? 'held' : 'not-held') };
});
