/**
 * The convergence suite (test/conformance/convergence.ts) for each GCP mode: two members on one
 * strict fake per run, with the fake's faults (throttle, 5xx, hang, lost response, stale read),
 * and the race of a cut-off old master against the new one.
 * CONV_RUNS / CONV_SEED / CONV_FAULTS narrow it while developing; GCP_MODES picks modes.
 */
import { convergenceSuite, type ConvergencePair, type PairHolder, type PairSetup } from './convergence.js';
import { startGcpWorld, RANGE, EXTERNAL_IP, type Member } from './gcp-world.js';
import type { GcpMode } from '../../providers/gcp/schema.js';

/** In `npm test`: each GCP run takes seconds (operations, the client's CPU); CONV_FULL=1 runs 50 per fault. */
const QUICK = { runs: 6, raceRuns: 4, concurrency: 6 };

const MODES: readonly GcpMode[] = (process.env['GCP_MODES']?.split(',') as GcpMode[] | undefined) ?? ['alias-ip', 'external-ip', 'route'];

function makePair(mode: GcpMode) {
  return async (seed: number, setup: PairSetup): Promise<ConvergencePair> => {
    const world = await startGcpWorld({ seed, apiLatencyMs: seed % 6 });
    const build = (member: Member) => world.provider(member, mode, { request_timeout: '300ms' }, { reassertIntervalMs: setup.reassertIntervalMs });
    const a = build('vipd-a');
    const b = build('vipd-b');
    // An operator's move: an unfenced acquire by a provider of its own (no fence record written).
    const operatorTo = (member: Member) => world.provider(member, mode, { request_timeout: '1s' }, { reassertIntervalMs: setup.reassertIntervalMs, nodeId: 'operator' });
    const toMember = (h: Member | 'none'): PairHolder => (h === 'vipd-a' ? 'a' : h === 'vipd-b' ? 'b' : 'none');
    return {
      a,
      b,
      holder: async () => toMember(world.holder(mode)),
      inject: (f) => world.fake.inject({ kind: f.kind, ...(f.times !== undefined && { times: f.times }), ...(f.probability !== undefined && { probability: f.probability }), ...(f.staleMs !== undefined && { staleMs: f.staleMs }) }),
      clearFaults: () => world.fake.clearFaults(),
      moveBehindBack: async (to) => {
        if (to === 'none') {
          if (mode === 'alias-ip') world.fake.moveAlias(RANGE, undefined);
          else if (mode === 'external-ip') world.fake.moveExternal(EXTERNAL_IP, undefined);
          else for (const r of world.fake.routes().filter((x) => x.destRange === RANGE)) world.fake.deleteRoute(r.name);
          return;
        }
        const member: Member = to === 'a' ? 'vipd-a' : 'vipd-b';
        if (mode === 'alias-ip') world.fake.moveAlias(RANGE, member);
        else if (mode === 'external-ip') world.fake.moveExternal(EXTERNAL_IP, member);
        else await operatorTo(member).acquire({ term: 0, reason: 'operator', signal: new AbortController().signal, fenced: false });
      },
      dispose: () => world.close(),
    };
  };
}

/**
 * Reassert every 1 s (fence TTL 3 s) rather than the suite's 200 ms: a reassert pass is status
 * plus a fence refresh, six or seven Compute requests, each costing the generated client
 * milliseconds of CPU (protobuf encode/decode of a whole Instance). With several pairs on this
 * shared 2-core machine (load average 10-13) a pass measured 66-612 ms and more, so at 200 ms
 * and at 500 ms the TTL lapsed under load spikes and the cut-off master, correctly by the fence
 * rule, took the resource back (external-ip race, seed 3 at 500 ms). Real GCP operations take
 * seconds; vipd's default reassert_interval is 10 s. Two pairs at a time (not five), and 1 s
 * (not 400 ms) for the requests of a repair (an alias move is six or seven requests and two
 * operations), for the same reason.
 */
for (const mode of MODES) convergenceSuite(`gcp ${mode}`, makePair(mode), { reassertIntervalMs: 1_000, concurrency: 2, repairSlackMs: 1_000, quick: QUICK });
