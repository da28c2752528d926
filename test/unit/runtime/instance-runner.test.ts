/** InstanceRunner: one timer at the core's deadline, actions carried out, halt and stop. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoopProvider } from '../../../providers/noop/index.js';
import { masterDownIntervalMs } from '../../../src/core/election/timers.js';
import type { ElectionParams } from '../../../src/core/election/types.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import type { GroupAdvert } from '../../../src/ports/peer-transport.js';
import type { ProviderRequest } from '../../../src/ports/vip-provider.js';
import { InstanceRunner, type RoleChange } from '../../../src/runtime/instance-runner.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { TrackedClock, recordingLogger, type Logged } from './fakes.js';

const params: ElectionParams = {
  group: 'vip', vrid: 51, self: { nodeId: 'a', address: '192.0.2.11' }, basePriority: 100,
  advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0,
};
const MDI = masterDownIntervalMs(100, 10, 3); // 360.9375 ms
const peer = (priority: number, term = 1) => ({ vrid: 51, sender: { nodeId: 'b', address: '192.0.2.12' }, priority, advertIntervalCs: 10, term });

function setup(provider?: (clock: TrackedClock) => NoopProvider) {
  const clock = new TrackedClock();
  const sent: GroupAdvert[] = [];
  const changes: RoleChange[] = [];
  const logs: Logged[] = [];
  const metrics = new MetricsRegistry();
  const noop = provider ? provider(clock) : new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
  const runner = new InstanceRunner({
    params, clock, provider: noop, logger: recordingLogger(logs), metrics,
    send: (m) => void sent.push(m),
    onRoleChange: (c) => void changes.push(c),
  });
  const role = () => metrics.get('vipd_role', { group: 'vip' });
  return { clock, sent, changes, logs, metrics, noop, runner, role };
}

/** Started and Master (term 1) at MDI, its acquire settled. */
async function asMaster() {
  const s = setup();
  s.runner.start();
  await s.clock.advanceTo(MDI);
  assert.equal(s.runner.state.role, 'Master');
  return s;
}

describe('InstanceRunner', () => {
  it('arms a single timer at the core\'s next deadline and fires it there, not before', async () => {
    const { clock, sent, runner, changes } = setup();
    runner.start();
    assert.equal(runner.state.role, 'Backup');
    assert.deepEqual(clock.pending(), [MDI]);
    await clock.advanceTo(MDI - 0.001);
    assert.equal(runner.state.role, 'Backup');
    assert.equal(sent.length, 0);
    await clock.advanceTo(MDI);
    assert.equal(runner.state.role, 'Master');
    assert.deepEqual(sent, [{ group: 'vip', advert: { vrid: 51, sender: params.self, priority: 100, advertIntervalCs: 10, term: 1 } }]);
    // The Adver_Timer, and the provider driver's reconcile loop (default reassert interval 10 s).
    assert.deepEqual(clock.pending(), [MDI + 100, MDI + 10_000], 'the Adver_Timer is the election\'s only timer');
    assert.deepEqual(changes.map((c) => [c.from, c.to, c.at]), [['Initialize', 'Backup', 0], ['Backup', 'Master', MDI]]);
  });

  it('re-arms its one timer when an advert moves the deadline, cancelling the old one', async () => {
    const { clock, runner, sent } = setup();
    runner.start();
    await clock.advanceTo(300);
    runner.receive(peer(200));
    assert.deepEqual(clock.pending(), [300 + MDI]);
    await clock.advanceTo(300 + MDI - 0.001);
    assert.equal(runner.state.role, 'Backup', 'the first deadline did not fire');
    assert.equal(sent.length, 0);
    await clock.advanceTo(300 + MDI);
    assert.equal(runner.state.role, 'Master');
  });

  it('a Master sends one advert per Advertisement_Interval', async () => {
    const { clock, sent } = await asMaster();
    await clock.advanceTo(MDI + 1000);
    assert.deepEqual(sent.map((m) => m.advert.priority), new Array<number>(11).fill(100));
    assert.equal(clock.pending().length, 2, 'the Adver_Timer and the reconcile loop\'s');
  });

  it('releases on every entry to a role other than Master, also without having held (RFC 5798 §6.4.2; issue 8 finding 1)', async () => {
    const { clock, runner, noop } = setup();
    runner.start(); // Initialize -> Backup: whatever an earlier run left goes
    await clock.advanceTo(0);
    assert.deepEqual(noop.calls, [{ op: 'release', term: 0, at: 0 }]);
    runner.raiseFault('uplink'); // Backup -> Fault
    await clock.advanceTo(1);
    runner.clearFault('uplink'); // Fault -> Backup: same term, nothing new to do
    await clock.advanceTo(2);
    runner.receive(peer(200, 7)); // a master with term 7: Backup stays Backup, no role change
    await clock.advanceTo(3);
    assert.deepEqual(noop.calls.map((c) => c.op), ['release']);
    assert.equal(noop.isHeld(), false);
  });

  it('releaseLeftovers() releases through the driver and resolves once that call is done', async () => {
    const s = setup();
    await s.runner.releaseLeftovers();
    assert.deepEqual(s.noop.calls.map((c) => [c.op, c.term]), [['release', 0]]);
    s.runner.start(); // the Backup entry at the same term adds no second call
    await s.clock.advanceTo(0);
    assert.deepEqual(s.noop.calls.map((c) => c.op), ['release']);
  });

  it('acquires the VIP through the provider when it becomes Master', async () => {
    const { noop } = await asMaster();
    assert.deepEqual(noop.calls, [{ op: 'release', term: 0, at: 0 }, { op: 'acquire', term: 1, at: MDI }]);
    assert.equal(noop.isHeld(), true);
  });

  it('halt() stops everything: no timer, no adverts, events ignored', async () => {
    const { clock, sent, runner, noop } = await asMaster();
    const before = sent.length;
    runner.halt();
    assert.deepEqual(clock.pending(), []);
    runner.receive(peer(200, 5));
    runner.setHealthWeight(-50);
    await clock.advanceTo(MDI + 10_000);
    assert.equal(sent.length, before);
    assert.equal(runner.state.role, 'Master', 'frozen, as a dead process');
    assert.equal(noop.isHeld(), true, 'no release on a crash');
  });

  it('halt() also stops provider retries', async () => {
    const s = setup((clock) => {
      const p = new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
      p.acquire = async (req: ProviderRequest) => {
        p.calls.push({ op: 'acquire', term: req.term, at: clock.now() });
        throw new Error('cloud API down');
      };
      return p;
    });
    s.runner.start();
    await s.clock.advanceTo(MDI + 50);
    s.runner.halt();
    const calls = s.noop.calls.length;
    await s.clock.advanceTo(MDI + 60_000);
    assert.equal(s.noop.calls.length, calls);
  });

  it('stop() from Master sends a priority-0 advert and leaves the provider not-held', async () => {
    const { clock, sent, runner, noop, role } = await asMaster();
    assert.equal(role(), 2);
    await runner.stop();
    assert.deepEqual(sent.at(-1)?.advert, { vrid: 51, sender: params.self, priority: 0, advertIntervalCs: 10, term: 1 });
    assert.equal(noop.isHeld(), false);
    assert.deepEqual(noop.calls.map((c) => c.op), ['release', 'acquire', 'release']);
    assert.equal(runner.state.role, 'Initialize');
    assert.equal(role(), 0);
    const count = sent.length;
    await clock.advanceTo(MDI + 10_000);
    assert.equal(sent.length, count, 'silent after stop');
    assert.deepEqual(clock.pending(), []);
  });

  it('sets the vipd_role gauge: 0 Initialize, 1 Backup, 2 Master, 3 Fault', async () => {
    const { clock, runner, role } = setup();
    assert.equal(role(), 0);
    runner.start();
    assert.equal(role(), 1);
    await clock.advanceTo(MDI);
    assert.equal(role(), 2);
    runner.raiseFault('uplink');
    assert.equal(role(), 3);
    runner.clearFault('uplink');
    assert.equal(role(), 1);
  });

  it('carries out Metric and Log actions: counters, and one info line per role change', async () => {
    const { clock, runner, metrics, logs } = setup();
    runner.start();
    runner.receive(peer(200));
    runner.receive({ ...peer(200), vrid: 9 });
    await clock.advanceTo(MDI + 1000);
    assert.equal(runner.state.role, 'Master');
    assert.equal(metrics.get('vipd_adverts_received_total', { group: 'vip' }), 2);
    assert.equal(metrics.get('vipd_adverts_dropped_total', { group: 'vip', reason: 'vrid-mismatch' }), 1);
    assert.equal(metrics.get('vipd_transitions_total', { group: 'vip', from: 'BACKUP', to: 'MASTER' }), 1);
    assert.equal(metrics.get('vipd_adverts_sent_total', { group: 'vip', priority0: 'false' }), 11);
    assert.deepEqual(logs.filter((l) => l.level === 'info' && l.msg.includes(' -> ')).map((l) => l.msg), [
      'INITIALIZE -> BACKUP (startup)',
      'BACKUP -> MASTER (master down: no advert from b(192.0.2.12) for Master_Down_Interval 361 ms)',
    ]);
  });
});
