/** bench/targets.ts: every issue-10 target judged from records, met / MISSED by how much / n/a / not built. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vipBinds, type ColdStartRecord } from '../../../bench/coldstart.js';
import type { FlapRecord } from '../../../bench/flap.js';
import type { FootprintRecord } from '../../../bench/footprint.js';
import type { AdvertId, FailoverScenario, ImplId } from '../../../bench/options.js';
import type { OutageResult } from '../../../bench/outage.js';
import type { FailoverRecord } from '../../../bench/scenarios.js';
import { bfdCheckVerdict } from '../../../bench/bfd-support.js';
import { evaluateTargets, targetSummary, type TargetInput, type TargetRow } from '../../../bench/targets.js';

const outage = (takeoverMs: number, outageMs: number): OutageResult => ({ takeoverMs, newMaster: 'b', outageMs, outageOpen: false, lost: 0, sent: 100, duplicates: 0, flipBacks: 0, switches: 1, twoNodes: false });
const run = (impl: ImplId, advert: AdvertId, scenario: FailoverScenario, takeoverMs: number, outageMs: number, extra: Partial<FailoverRecord> = {}): FailoverRecord => ({ type: 'failover', impl, advert, scenario, run: 1, at: '', result: outage(takeoverMs, outageMs), ...extra });
const flap = (impl: ImplId, advert: AdvertId, lossPercent: number, masterChanges: number | undefined, extra: Partial<FlapRecord> = {}): FlapRecord => ({ type: 'flap', impl, advert, lossPercent, minutes: 3, at: '', ...(masterChanges === undefined ? {} : { masterChanges }), ...extra });
const cold = (impl: ImplId, shape: 'pair' | 'trio', start: number, binds: string[]): ColdStartRecord => ({ type: 'cold-start', impl, shape, start, at: '', binds: binds.map((n, i) => [n, i * 100] as const), holders: [binds.at(-1) ?? ''] });
const foot = (impl: ImplId, groups: number, rss: number, cpu: number, extra: Partial<FootprintRecord> = {}): FootprintRecord => ({
  type: 'footprint', impl, groups, advert: '100ms', seconds: 60, at: '', converged: true, roleChanges: 0, vipsOnOneAtStart: groups, vipsOnOneAtEnd: groups,
  agents: [{ node: 'a', rssMaxMiB: rss, rssMeanMiB: rss, cpuPercent: cpu, processes: 1 }, { node: 'b', rssMaxMiB: rss - 1, rssMeanMiB: rss - 1, cpuPercent: cpu / 2, processes: 1 }, { node: 'w', rssMaxMiB: 500, rssMeanMiB: 500, cpuPercent: 90, processes: 1 }],
  ...extra,
});
const input = (p: Partial<TargetInput>): TargetInput => ({ failover: [], flap: [], coldStarts: [], footprint: [], flapMinutes: 3, coldStartsPerShape: 10, ...p });
const find = (rows: readonly TargetRow[], target: RegExp, subject: RegExp) => {
  const r = rows.filter((x) => target.test(x.target) && subject.test(x.subject));
  assert.equal(r.length, 1, `one row for ${target} / ${subject}, got ${r.length}`);
  return r[0] as TargetRow;
};

describe('bench targets', () => {
  it('takeover targets: the median against the limit, MISSED by the excess, keepalived beside it', () => {
    const rows = evaluateTargets(input({
      failover: [
        run('vipd-unicast', '100ms', 'agent-crash', 12, 20), run('vipd-unicast', '100ms', 'agent-crash', 25, 30), run('vipd-unicast', '100ms', 'agent-crash', 400, 400),
        run('keepalived', '100ms', 'agent-crash', 310, 300),
        run('vipd-unicast', '1s', 'agent-crash', 45, 40), run('keepalived', '1s', 'agent-crash', 2800, 2800),
        run('vipd-unicast', '100ms', 'host-death', 100, 100),
      ],
    }));
    const crash100 = find(rows, /agent crash/, /100 ms/);
    assert.equal(crash100.verdict, 'met'); // median 25 ≤ 30
    assert.match(crash100.measured, /^25 ms \(12–400 ms, 3 runs\)$/);
    assert.equal(crash100.keepalived, '310 ms');
    const crash1s = find(rows, /agent crash/, /1 s adverts/);
    assert.equal(crash1s.verdict, 'MISSED');
    assert.equal(crash1s.note, 'by 15 ms');
    assert.equal(find(rows, /host death/, /100 ms/).verdict, 'met'); // exactly the limit
  });

  it('graceful stop is judged for both vipds on the client gap; a failed run is counted in the note', () => {
    const rows = evaluateTargets(input({
      failover: [
        run('vipd-lan', '100ms', 'graceful-stop', 50, 10), run('vipd-unicast', '100ms', 'graceful-stop', 60, 18.4),
        { type: 'failover', impl: 'vipd-unicast', advert: '100ms', scenario: 'graceful-stop', run: 2, at: '', error: 'not steady' },
        run('keepalived', '100ms', 'graceful-stop', 60, 70),
      ],
    }));
    assert.equal(find(rows, /graceful/, /vipd LAN/).verdict, 'met');
    const u = find(rows, /graceful/, /vipd unicast/);
    assert.equal(u.verdict, 'MISSED');
    assert.equal(u.note, 'by 8.4 ms; 1 of 2 runs failed');
    assert.equal(u.keepalived, '70 ms');
  });

  it('flap: 0 changes met, any change MISSED by the count, a short window n/a, the BFD row not built', () => {
    const rows = evaluateTargets(input({
      flap: [
        flap('vipd-unicast', '100ms', 10, 0), flap('vipd-unicast', '100ms', 20, 2), flap('keepalived', '100ms', 20, 12),
        flap('vipd-lan', '100ms', 10, 0, { minutes: 1 }), flap('vipd-unicast', 'bfd', 10, undefined, { notBuilt: 'vipd check refuses bfd' }),
      ],
    }));
    assert.equal(find(rows, /flap/, /vipd unicast, 10 % loss, 100 ms/).verdict, 'met');
    const missed = find(rows, /flap/, /vipd unicast, 20 %/);
    assert.equal(missed.verdict, 'MISSED');
    assert.equal(missed.note, 'by 2 changes');
    assert.equal(missed.keepalived, '12 (4.0/min)');
    const short = find(rows, /flap/, /vipd LAN/);
    assert.equal(short.verdict, 'n/a');
    assert.match(short.note, /window 1 min, not the target's 3/);
    const nb = find(rows, /flap/, /BFD row/);
    assert.equal(nb.verdict, 'not built');
    assert.equal(nb.note, 'vipd check refuses bfd');
  });

  it('cold start: exactly one bind, on a, in every start; fewer starts than 10 are n/a unless one was wrong', () => {
    const ten = (impl: ImplId, shape: 'pair' | 'trio', bad: number[] = []) => Array.from({ length: 10 }, (_, i) => cold(impl, shape, i + 1, bad.includes(i + 1) ? ['b', 'a'] : ['a']));
    const rows = evaluateTargets(input({
      coldStarts: [...ten('vipd-unicast', 'pair'), ...ten('vipd-unicast', 'trio', [3, 7]), ...ten('keepalived', 'pair', [1, 2, 3]), cold('vipd-lan', 'pair', 1, ['a'])],
    }));
    const pair = find(rows, /cold start/, /vipd unicast, pair/);
    assert.equal(pair.verdict, 'met');
    assert.equal(pair.measured, '10 of 10');
    assert.match(pair.keepalived, /^7 of 10 \(moves: 2 2 2 1 1 1 1 1 1 1\)$/);
    const trio = find(rows, /cold start/, /vipd unicast, trio/);
    assert.equal(trio.verdict, 'MISSED');
    assert.match(trio.note, /^by 2 starts/);
    assert.equal(find(rows, /cold start/, /vipd LAN, pair/).verdict, 'n/a');
    // A start that ended on the wrong node is wrong even with one bind.
    const wrong = evaluateTargets(input({ coldStarts: [cold('vipd-lan', 'pair', 1, ['b'])] }));
    assert.equal(find(wrong, /cold start/, /vipd LAN, pair/).verdict, 'MISSED');
  });

  it('decision → bound and → gARP ≤ 2 ms on the median of the runs that measured it', () => {
    const w = (boundMs: number, garpMs: number) => ({ wire: { decision: 'x', boundMs, garpMs } });
    const rows = evaluateTargets(input({ failover: [run('vipd-lan', '100ms', 'agent-crash', 300, 300, w(0.8, 1.5)), run('vipd-lan', '1s', 'host-death', 300, 300, w(1.2, 2.5)), run('vipd-lan', '1s', 'host-death', 300, 300, w(1, 4))] }));
    assert.equal(find(rows, /VIP bound/, /vipd LAN/).verdict, 'met');
    const garp = find(rows, /gratuitous ARP/, /vipd LAN/);
    assert.equal(garp.verdict, 'MISSED');
    assert.match(garp.note, /^by 0\.5 ms/);
  });

  it('footprint: the busiest member (never the witness) against each limit, keepalived beside it, every VIP on one node', () => {
    const rows = evaluateTargets(input({
      footprint: [
        foot('vipd-lan', 1, 58, 0.4), foot('vipd-unicast', 1, 70, 0.6), foot('keepalived', 1, 10, 0.05),
        foot('vipd-unicast', 100, 80, 4), foot('vipd-lan', 100, 80, 9, { vipsOnOneAtEnd: 97 }), foot('keepalived', 100, 12, 1),
      ],
    }));
    assert.equal(find(rows, /60 MiB/, /vipd LAN/).verdict, 'met');
    const rss = find(rows, /60 MiB/, /vipd unicast/);
    assert.equal(rss.verdict, 'MISSED');
    assert.equal(rss.note, 'by 10.0 MiB');
    assert.equal(rss.keepalived, '10.0 MiB');
    assert.equal(find(rows, /0\.5 %/, /vipd unicast/).note, 'by 0.10 %');
    assert.equal(find(rows, /unicast ≤ 5 %/, /vipd unicast/).verdict, 'met');
    assert.equal(find(rows, /LAN ≤ 8 %/, /vipd LAN/).note, 'by 1.00 %');
    const one = find(rows, /exactly one node/, /vipd LAN/);
    assert.equal(one.verdict, 'MISSED');
    assert.equal(one.note, 'by 3 VIPs');
    assert.equal(find(rows, /exactly one node/, /vipd unicast/).verdict, 'met');
  });

  it('nothing measured: no rows; a summary counts each verdict', () => {
    assert.deepEqual(evaluateTargets(input({})), []);
    const rows = evaluateTargets(input({ flap: [flap('vipd-unicast', '100ms', 10, 0), flap('vipd-unicast', 'bfd', 10, undefined, { notBuilt: 'x' })] }));
    assert.equal(targetSummary(rows), '1 met, 0 MISSED, 0 n/a, 1 not built (of 2)');
  });
});

describe('bench cold-start binds', () => {
  it('a bind counts only when the node did not hold the VIP: a re-announced address is no move, a bind after a delete is', () => {
    const e = (node: string, kind: 'bound' | 'unbound', wallUs: number) => ({ node, kind, wallUs });
    assert.deepEqual(vipBinds([e('a', 'bound', 10), e('a', 'bound', 20), e('a', 'bound', 30)]), [['a', 10]]);
    assert.deepEqual(vipBinds([e('b', 'bound', 5), e('a', 'bound', 30), e('b', 'unbound', 25), e('b', 'bound', 40)]), [['b', 5], ['a', 30], ['b', 40]]);
    assert.deepEqual(vipBinds([]), []);
  });
});

describe('bench BFD support check', () => {
  const f = '/tmp/x/bfd-check-group.yaml';
  it('exit 0 with no warning about bfd is support; a refusal or a warning naming bfd is not built, with vipd\'s words', () => {
    assert.deepEqual(bfdCheckVerdict('group', 0, 'ok: 1 group\n', '', f), { ok: true });
    assert.deepEqual(bfdCheckVerdict('group', 0, 'ok\n', `warning: ${f}:3:1: tls.key: file mode 0644\n`, f), { ok: true });
    assert.deepEqual(bfdCheckVerdict('group', 2, '', `${f}:22:5: groups[0].bfd: unknown key "bfd" (allowed: name, vrid)\n1 error in ${f}\n`, f), { ok: false, why: 'in the group: config:22:5: groups[0].bfd: unknown key "bfd"' });
    assert.deepEqual(
      bfdCheckVerdict('top', 0, 'ok\n', `warning: ${f}:11:1: bfd.enabled: BFD sessions are not started by this version of vipd yet\n`, f),
      { ok: false, why: `top level: warning: config:11:1: bfd.enabled: BFD sessions are not started by this version of vipd yet` },
    );
    assert.deepEqual(bfdCheckVerdict('top', 2, '', `${f}: cannot read the file\n`, f), { ok: false, why: 'top level: config: cannot read the file' });
  });
});
