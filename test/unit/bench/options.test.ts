/** bench/options.ts and the /proc parsers of bench/procfs.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flapCells } from '../../../bench/flap.js';
import { parseOptions, PHASES, rowImpls } from '../../../bench/options.js';
import { parseRss, parseStat } from '../../../bench/procfs.js';

describe('bench options', () => {
  it('defaults: 10 runs, every phase and setting, the targets\' 3 min flap and 10 cold starts, 60 s footprint, 50 ms cloud latency', () => {
    const r = parseOptions([]);
    assert.ok(r.ok);
    assert.equal(r.options.runs, 10);
    assert.deepEqual([...r.options.phases], ['agent-crash', 'host-death', 'graceful-stop', 'flap', 'cold-start', 'footprint', 'cloud']);
    assert.deepEqual(r.options.adverts, ['1s', '100ms', 'bfd']);
    assert.equal(r.options.cloudLatencyMs, 50);
    assert.equal(r.options.flapMinutes, 3);
    assert.equal(r.options.coldStarts, 10);
    assert.equal(r.options.footprintSeconds, 60);
  });

  it('--runs 3 keeps the windows and counts a target defines (flap 3 min, 10 cold starts); only the footprint window shortens', () => {
    const r = parseOptions(['--runs', '3']);
    assert.ok(r.ok);
    assert.equal(r.options.flapMinutes, 3);
    assert.equal(r.options.coldStarts, 10);
    assert.equal(r.options.footprintSeconds, 20);
    assert.equal(r.options.footprintShortened, true);
    const given = parseOptions(['--runs=3', '--flap-minutes', '0.5', '--cold-starts=2', '--footprint-seconds', '60']);
    assert.ok(given.ok);
    assert.equal(given.options.flapMinutes, 0.5);
    assert.equal(given.options.coldStarts, 2);
    assert.equal(given.options.footprintShortened, false);
  });

  it('--only, --skip-PHASE for every phase, --impls and --adverts select what runs, in canonical order', () => {
    const r = parseOptions(['--only', 'host-death,flap,cold-start', '--skip-flap', '--impls', 'vipd-lan,keepalived', '--adverts', 'bfd,1s']);
    assert.ok(r.ok);
    assert.deepEqual([...r.options.phases], ['host-death', 'cold-start']);
    assert.deepEqual(r.options.impls, ['keepalived', 'vipd-lan']);
    assert.deepEqual(r.options.adverts, ['1s', 'bfd']);
    for (const phase of PHASES) {
      const s = parseOptions([`--skip-${phase}`]);
      assert.ok(s.ok);
      assert.equal(s.options.phases.has(phase), false, phase);
      assert.equal(s.options.phases.size, PHASES.length - 1);
    }
  });

  it('--only cloud runs the cloud phase alone; --skip-cloud and --cloud-latency', () => {
    const alone = parseOptions(['--only', 'cloud', '--cloud-latency=20']);
    assert.ok(alone.ok);
    assert.deepEqual([...alone.options.phases], ['cloud']);
    assert.equal(alone.options.cloudLatencyMs, 20);
    const skipped = parseOptions(['--skip-cloud']);
    assert.ok(skipped.ok);
    assert.equal(skipped.options.phases.has('cloud'), false);
    const bad = parseOptions(['--cloud-latency', '-5']);
    assert.ok(!bad.ok && /--cloud-latency must be a number 0-5000; got -5/.test(bad.error));
  });

  it('the BFD row has keepalived and vipd unicast, not vipd LAN (plain VRRP has no BFD)', () => {
    assert.deepEqual(rowImpls('bfd', ['keepalived', 'vipd-lan', 'vipd-unicast']), ['keepalived', 'vipd-unicast']);
    assert.deepEqual(rowImpls('100ms', ['keepalived', 'vipd-lan']), ['keepalived', 'vipd-lan']);
  });

  it('refuses unknown options and bad values with a reason', () => {
    assert.deepEqual(parseOptions(['--runz', '3']), { ok: false, error: 'unknown option "--runz"' });
    assert.equal(parseOptions(['--runs', '0']).ok, false);
    const only = parseOptions(['--only', 'crash']);
    assert.ok(!only.ok && /unknown crash/.test(only.error));
    const skip = parseOptions(['--skip-crash']);
    assert.ok(!skip.ok && /unknown option "--skip-crash" \(phases: agent-crash/.test(skip.error));
    const cold = parseOptions(['--cold-starts', '2.5']);
    assert.ok(!cold.ok && /--cold-starts must be a whole number/.test(cold.error));
  });
});

describe('/proc parsers', () => {
  it('parseStat reads utime, stime, cutime, cstime after a command name with spaces and parentheses', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194560 5000 0 0 0 150 25 7 3 20 0 11 0 100 1000000 20000';
    assert.deepEqual(parseStat(stat), { utime: 150, stime: 25, cutime: 7, cstime: 3 });
    assert.equal(parseStat('garbage'), undefined);
  });

  it('parseRss reads VmRSS in KiB', () => {
    assert.equal(parseRss('Name:\tnode\nVmRSS:\t   81234 kB\nThreads:\t11\n'), 81234);
    assert.equal(parseRss('Name:\tkthreadd\n'), undefined);
  });
});

describe('bench flap cells', () => {
  it('every row × implementation × loss level runs as one cell; the BFD row without vipd LAN; 100 ms when no flap row is selected', () => {
    const cells = flapCells(['1s', '100ms', 'bfd'], ['keepalived', 'vipd-lan', 'vipd-unicast']);
    assert.equal(cells.length, 10);
    assert.deepEqual(cells.filter((c) => c.advert === 'bfd').map((c) => `${c.impl} ${c.lossPercent}`), ['keepalived 10', 'keepalived 20', 'vipd-unicast 10', 'vipd-unicast 20']);
    assert.deepEqual(flapCells(['1s'], ['vipd-lan']).map((c) => `${c.advert} ${c.impl} ${c.lossPercent}`), ['100ms vipd-lan 10', '100ms vipd-lan 20']);
  });
});
