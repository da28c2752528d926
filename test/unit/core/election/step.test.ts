/** The election reducer driven directly: hand-made events and `now`, RFC 5798 §6.4 behaviour. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { initialState, nextDeadline, step } from '../../../../src/core/election/step.js';
import { masterDownIntervalMs, skewTimeMs } from '../../../../src/core/election/timers.js';
import type { Advert, ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';

const BASE: ElectionParams = {
  group: 'vip', vrid: 51, self: { nodeId: 'self', address: '192.0.2.10' }, basePriority: 100,
  advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0,
};
const ADV_MS = 100;
const MDI = masterDownIntervalMs(100, 10, 3); // 360.9375 ms

const params = (o: Partial<ElectionParams> = {}): ElectionParams => ({ ...BASE, ...o });
const PEER = { nodeId: 'peer', address: '192.0.2.20' };
const recv = (o: Partial<Advert> = {}): ElectionEvent =>
  ({ type: 'AdvertReceived', advert: { vrid: 51, sender: PEER, priority: 150, advertIntervalCs: 10, term: 0, ...o } });
const TIMER: ElectionEvent = { type: 'TimerFired' };
const STARTUP: ElectionEvent = { type: 'Startup' };

type Of<T> = Extract<ElectionAction, { type: T }>;
const ofType = <T extends ElectionAction['type']>(as: readonly ElectionAction[], type: T) => as.filter((a): a is Of<T> => a.type === type);
const infoLogs = (actions: readonly ElectionAction[]) => ofType(actions, 'Log').filter((l) => l.level === 'info').map((l) => l.msg);

/** A Backup started at t=0. */
const backup = (o: Partial<ElectionParams> = {}): ElectionState => step(initialState(params(o)), STARTUP, 0).state;

/** A Master with term 1: its Master_Down_Timer ran out at MDI, so its Adver_Timer is MDI + 100. */
const master = (): ElectionState => step(backup(), TIMER, MDI).state;

describe('step: Initialize', () => {
  it('Startup twice: the second is refused with a warning and changes nothing', () => {
    const b = backup();
    const r = step(b, STARTUP, 50);
    assert.equal(r.state, b);
    assert.deepEqual(r.actions, [{ type: 'Log', level: 'warn', msg: 'Startup refused: instance is already BACKUP' }]);
  });

  it('Startup arms the Master_Down_Timer at now + Master_Down_Interval', () => {
    const r = step(initialState(params()), STARTUP, 1000);
    assert.equal(r.state.role, 'Backup');
    assert.equal(r.state.masterDownTimer, 1000 + MDI);
    assert.deepEqual(infoLogs(r.actions), ['INITIALIZE -> BACKUP (startup)']);
  });

  it('the address owner (255) goes straight to Master: SendAdvert then AcquireVip, term 1', () => {
    const r = step(initialState(params({ basePriority: 255 })), STARTUP, 0);
    assert.equal(r.state.role, 'Master');
    assert.equal(r.state.term, 1);
    assert.equal(r.state.adverTimer, ADV_MS);
    const order = r.actions.map((a) => a.type).filter((t) => t === 'SendAdvert' || t === 'AcquireVip');
    assert.deepEqual(order, ['SendAdvert', 'AcquireVip']);
    assert.deepEqual(ofType(r.actions, 'SendAdvert'), [{ type: 'SendAdvert', priority: 255, advertIntervalCs: 10, term: 1 }]);
    assert.equal(ofType(r.actions, 'AcquireVip')[0]?.term, 1);
    assert.deepEqual(infoLogs(r.actions), ['INITIALIZE -> MASTER (startup; address owner (priority 255))']);
  });

  it('Shutdown from Initialize is a no-op', () => {
    const s = initialState(params());
    assert.deepEqual(step(s, { type: 'Shutdown' }, 10), { state: s, actions: [] });
    assert.equal(step(s, { type: 'Shutdown' }, 10).state, s);
  });

  it('FaultRaised in Initialize then Startup -> Fault; FaultCleared -> Backup', () => {
    const f = step(initialState(params()), { type: 'FaultRaised', resource: 'uplink' }, 0);
    assert.deepEqual([f.state.role, f.actions], ['Initialize', []]);
    const s = step(f.state, STARTUP, 5);
    assert.equal(s.state.role, 'Fault');
    assert.equal(nextDeadline(s.state), undefined);
    assert.deepEqual(infoLogs(s.actions), ['INITIALIZE -> FAULT (tracked resource down: uplink)']);
    const c = step(s.state, { type: 'FaultCleared', resource: 'uplink' }, 700);
    assert.equal(c.state.role, 'Backup');
    assert.equal(c.state.masterDownTimer, 700 + MDI);
    assert.deepEqual(infoLogs(c.actions), ['FAULT -> BACKUP (tracked resource up: uplink)']);
  });
});

describe('step: Backup drops invalid adverts, with a reason', () => {
  const cases: ReadonlyArray<readonly [what: string, p: Partial<ElectionParams>, a: Partial<Advert>, reason: string]> = [
    ['wrong VRID', {}, { vrid: 52 }, 'vrid-mismatch'],
    ['our own node id', {}, { sender: { nodeId: 'self', address: '192.0.2.99' } }, 'own-advert'],
    ['priority 256', {}, { priority: 256 }, 'invalid-priority'],
    ['priority -1', {}, { priority: -1 }, 'invalid-priority'],
    ['priority 1.5', {}, { priority: 1.5 }, 'invalid-priority'],
    ['interval 0', {}, { advertIntervalCs: 0 }, 'invalid-interval'],
    ['interval 4096', {}, { advertIntervalCs: 4096 }, 'invalid-interval'],
    ['term NaN', {}, { term: Number.NaN }, 'invalid-term'],
    ['term -1', {}, { term: -1 }, 'invalid-term'],
    ['term 2^53 (not a safe integer)', {}, { term: 2 ** 53 }, 'invalid-term'],
    ['v2 interval mismatch (RFC 3768 §7.1)', { version: 2, advertIntervalCs: 100 }, { advertIntervalCs: 200 }, 'interval-mismatch'],
  ];
  for (const [what, p, a, reason] of cases) {
    it(`${what} -> ${reason}`, () => {
      const b = backup(p);
      const r = step(b, recv(a), 100);
      assert.equal(r.state, b, 'state unchanged: the Master_Down_Timer is not re-armed');
      assert.deepEqual(ofType(r.actions, 'Metric'), [
        { type: 'Metric', name: 'vipd_adverts_dropped_total', labels: { group: 'vip', reason }, inc: 1 },
      ]);
      assert.equal(ofType(r.actions, 'Log')[0]?.fields?.reason, reason);
    });
  }

  it('control: a valid advert is accepted and re-arms the Master_Down_Timer', () => {
    const r = step(backup(), recv({ term: 4 }), 100);
    assert.equal(r.state.masterDownTimer, 100 + MDI);
    assert.equal(r.state.master?.sender.nodeId, 'peer');
    assert.equal(r.state.term, 4);
    assert.deepEqual(r.actions, []);
  });

  it('v3 learns a different interval as Master_Adver_Interval; priority 0 leaves only Skew_Time', () => {
    const r = step(backup(), recv({ advertIntervalCs: 20 }), 100);
    assert.equal(r.state.masterDownTimer, 100 + masterDownIntervalMs(100, 20, 3));
    assert.equal(step(backup(), recv({ priority: 0 }), 100).state.masterDownTimer, 100 + skewTimeMs(100, 10, 3));
  });
});

describe('step: Master', () => {
  it('becomes Master when the Master_Down_Timer runs out, logging `BACKUP -> MASTER (reason)`', () => {
    const r = step(backup(), TIMER, MDI);
    assert.equal(r.state.term, 1);
    assert.deepEqual(infoLogs(r.actions), ['BACKUP -> MASTER (no master seen for Master_Down_Interval 361 ms)']);
    const [rc] = ofType(r.actions, 'RoleChanged');
    assert.deepEqual(rc, { type: 'RoleChanged', from: 'Backup', to: 'Master', reason: 'no master seen for Master_Down_Interval 361 ms', term: 1 });
  });

  it('hearing priority 0 sends an advert at once and resets the Adver_Timer', () => {
    const now = (master().adverTimer ?? NaN) - 30;
    const r = step(master(), recv({ priority: 0 }), now);
    assert.deepEqual(r.actions, [{ type: 'SendAdvert', priority: 100, advertIntervalCs: 10, term: 1 }]);
    assert.equal(r.state.adverTimer, now + ADV_MS);
  });

  it('hearing a lower-priority master with term >= its own moves its term past it and re-asserts', () => {
    for (const theirs of [1, 4]) {
      const r = step(master(), recv({ priority: 50, term: theirs }), 500);
      assert.equal(r.state.role, 'Master');
      assert.equal(r.state.term, theirs + 1);
      assert.deepEqual(ofType(r.actions, 'SendAdvert'), [{ type: 'SendAdvert', priority: 100, advertIntervalCs: 10, term: theirs + 1 }]);
      assert.equal(ofType(r.actions, 'AcquireVip')[0]?.term, theirs + 1);
    }
  });

  it('control: a lower-priority master with an older term gets an advert but no re-assert', () => {
    const r = step({ ...master(), term: 5 }, recv({ priority: 50, term: 3 }), 500);
    assert.equal(r.state.term, 5);
    assert.deepEqual(r.actions.map((a) => a.type), ['SendAdvert']);
  });

  it('hearing a higher priority releases the VIP and goes Backup with the Master_Down_Timer armed', () => {
    const r = step(master(), recv({ priority: 150, term: 3, advertIntervalCs: 20 }), 500);
    assert.equal(r.state.role, 'Backup');
    assert.deepEqual(r.actions[0], { type: 'ReleaseVip', term: 1, reason: 'higher-ranked master peer(192.0.2.20) (priority 150, term 3)' });
    assert.equal(r.state.masterDownTimer, 500 + masterDownIntervalMs(100, 20, 3));
    assert.equal(r.state.adverTimer, undefined);
    assert.equal(r.state.term, 3);
    assert.deepEqual(infoLogs(r.actions), ['MASTER -> BACKUP (higher-ranked master peer(192.0.2.20) (priority 150, term 3))']);
  });

  it('Shutdown sends priority 0, releases, then goes to Initialize', () => {
    const r = step(master(), { type: 'Shutdown' }, 500);
    assert.deepEqual(r.actions.slice(0, 2), [
      { type: 'SendAdvert', priority: 0, advertIntervalCs: 10, term: 1 },
      { type: 'ReleaseVip', term: 1, reason: 'shutdown' },
    ]);
    assert.equal(r.state.role, 'Initialize');
    assert.equal(nextDeadline(r.state), undefined);
    assert.deepEqual(infoLogs(r.actions), ['MASTER -> INITIALIZE (shutdown)']);
  });

  it('HealthWeightChanged sends an advert with the new priority at once', () => {
    const r = step(master(), { type: 'HealthWeightChanged', weight: 20 }, 400);
    assert.deepEqual(ofType(r.actions, 'SendAdvert'), [{ type: 'SendAdvert', priority: 120, advertIntervalCs: 10, term: 1 }]);
    assert.equal(r.state.adverTimer, 400 + ADV_MS);
    const rb = step(backup(), { type: 'HealthWeightChanged', weight: 20 }, 400);
    assert.deepEqual(ofType(rb.actions, 'SendAdvert'), [], 'a Backup says nothing');
  });
});

describe('step: timers', () => {
  it('nextDeadline picks the earliest deadline, or undefined', () => {
    const s = initialState(params());
    assert.equal(nextDeadline(s), undefined);
    assert.equal(nextDeadline({ ...s, adverTimer: 500, masterDownTimer: 300 }), 300);
    assert.equal(nextDeadline({ ...s, adverTimer: 200, masterDownTimer: 300 }), 200);
    assert.equal(nextDeadline({ ...s, adverTimer: 700 }), 700);
  });

  it('TimerFired before the deadline does nothing', () => {
    for (const [s, deadline] of [[backup(), MDI], [master(), MDI + ADV_MS]] as const) {
      const r = step(s, TIMER, deadline - 0.001);
      assert.equal(r.state, s);
      assert.deepEqual(r.actions, []);
    }
  });

  it('the Adver_Timer keeps to the interval grid when a little late; after a long pause: one advert, no burst', () => {
    const t = MDI + ADV_MS; // master()'s Adver_Timer, off the grid
    // The next advert is the first multiple of the interval after now: never more than one
    // interval away, so after an off-grid one it comes once earlier, then on the grid.
    const grid = (now: number) => (Math.floor(now / ADV_MS) + 1) * ADV_MS;
    for (const now of [t, t + 30, t + 10_000]) {
      const r = step(master(), TIMER, now);
      assert.deepEqual(r.actions, [{ type: 'SendAdvert', priority: 100, advertIntervalCs: 10, term: 1 }], `fired at ${now}`);
      const next = r.state.adverTimer!;
      assert.equal(next, grid(now), `fired at ${now}`);
      assert.ok(next > now && next <= now + ADV_MS, `fired at ${now}: next at ${next}`);
      const again = step(r.state, TIMER, next + 3);
      assert.equal(again.state.adverTimer, next + ADV_MS, 'on the grid, a little late keeps the cadence');
    }
    // Two groups that became master at different times advertise together from their second advert.
    const a = step(master(), TIMER, t).state;
    const b = step({ ...master(), adverTimer: t + 37 }, TIMER, t + 37).state;
    assert.equal(a.adverTimer, b.adverTimer);
  });

  it('a group that speaks VRRP keeps its own cadence (one raw packet per advert): no grid, no burst after a pause', () => {
    const vrrp = (): ElectionState => { const m = master(); return { ...m, params: { ...m.params, orderByTerm: false } }; };
    const t = MDI + ADV_MS;
    const r = step(vrrp(), TIMER, t + 3);
    assert.equal(r.state.adverTimer, t + ADV_MS, 'a little late: the cadence of its own timer');
    const paused = step(vrrp(), TIMER, t + 10_000);
    assert.equal(paused.state.adverTimer, t + 10_000 + ADV_MS, 'after a pause: one advert, then one interval');
    const a = step(vrrp(), TIMER, t).state;
    const b = step({ ...vrrp(), adverTimer: t + 37 }, TIMER, t + 37).state;
    assert.notEqual(a.adverTimer, b.adverTimer, 'two VRRP groups are not pulled onto one instant');
  });
});

describe('step: properties', () => {
  it('never throws; role, timers, quorum and term stay consistent for random event sequences', () => {
    const int = (min: number, max: number) => fc.integer({ min, max });
    const advert = fc.record({
      vrid: fc.oneof({ arbitrary: fc.constant(51), weight: 5 }, int(0, 256)),
      sender: fc.record({ nodeId: fc.constantFrom('self', 'p1', 'p2'), address: fc.constantFrom('192.0.2.1', '192.0.2.200', 'bogus') }),
      priority: fc.oneof(int(0, 255), fc.constantFrom(-1, 256, 1.5, Number.NaN)),
      advertIntervalCs: fc.oneof({ arbitrary: fc.constantFrom(10, 100), weight: 5 }, int(-1, 5000)),
      term: fc.oneof({ arbitrary: int(0, 50), weight: 5 }, fc.constantFrom(-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY)),
    });
    const resource = fc.constantFrom('a', 'b');
    const event: fc.Arbitrary<ElectionEvent> = fc.oneof(
      fc.constantFrom<ElectionEvent>({ type: 'Startup' }, { type: 'Shutdown' }),
      { arbitrary: advert.map((a): ElectionEvent => ({ type: 'AdvertReceived', advert: a })), weight: 4 },
      { arbitrary: fc.constant<ElectionEvent>(TIMER), weight: 4 },
      int(-300, 300).map((weight): ElectionEvent => ({ type: 'HealthWeightChanged', weight })),
      resource.map((r): ElectionEvent => ({ type: 'FaultRaised', resource: r })),
      resource.map((r): ElectionEvent => ({ type: 'FaultCleared', resource: r })),
      fc.boolean().map((q): ElectionEvent => ({ type: 'QuorumChanged', hasQuorum: q, detail: q ? '2/3 voters' : '1/3 voters' })),
      fc.constantFrom('p1', 'p2').map((n): ElectionEvent => ({ type: 'PeerConfirmedDown', nodeId: n, reason: 'probes failed' })),
    );
    const p = fc.record({
      basePriority: int(1, 255), version: fc.constantFrom<2 | 3>(2, 3), advertIntervalCs: fc.oneof(fc.constantFrom(10, 100), int(1, 4095)),
      preempt: fc.boolean(), preemptDelayMs: int(0, 2000), requireQuorum: fc.boolean(),
    });
    const moves = fc.array(fc.record({ event, dt: fc.integer({ min: 0, max: 5000 }), atDeadline: fc.boolean() }), { maxLength: 60 });
    const roles = new Set(['Initialize', 'Backup', 'Master', 'Fault']);
    fc.assert(
      fc.property(p, moves, (po, ms) => {
        let s = step(initialState(params(po)), STARTUP, 0).state;
        let now = 0;
        for (const m of ms) {
          const deadline = nextDeadline(s);
          now = m.event.type === 'TimerFired' && m.atDeadline && deadline !== undefined ? Math.max(now, deadline) : now + m.dt;
          const prevTerm = s.term;
          s = step(s, m.event, now).state;
          assert.ok(roles.has(s.role), s.role);
          assert.equal(s.role === 'Master', s.adverTimer !== undefined, `Master <=> adverTimer (${s.role})`);
          // A Backup whose timer ran out without quorum waits for quorum instead (issue 3 §5).
          assert.equal(s.role === 'Backup', s.masterDownTimer !== undefined || s.awaitingQuorum, `Backup <=> timer (${s.role})`);
          assert.ok(!(s.awaitingQuorum && s.masterDownTimer !== undefined), 'awaiting quorum has no Master_Down_Timer');
          assert.ok(s.role === 'Master' || s.quorumLossTimer === undefined, 'quorumLossTimer only in Master');
          assert.ok(s.role !== 'Master' || s.hasQuorum || s.quorumLossTimer !== undefined, 'a Master without quorum steps down');
          assert.ok(s.term >= prevTerm, `term ${prevTerm} -> ${s.term}`);
        }
      }),
      { numRuns: 500 },
    );
  });
});
