/**
 * Fixture for topology.test.ts: builds a topology, prints its prefix, then waits to be killed
 * (SIGKILL: no exit hook runs, exactly what a crashed test leaves behind). Exits on its own after
 * 30 s so a forgotten fixture cannot linger.
 */
import { createTopology } from './topology.js';

const topology = await createTopology({ hosts: ['a', 'b'] });
process.stdout.write(`${topology.prefix}\n`);
setTimeout(() => void topology.destroy().then(() => process.exit(0)), 30_000);
