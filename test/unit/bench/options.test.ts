/** bench/options.ts and the /proc parsers of bench/procfs.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseOptions } from '../../../bench/options.js';
import { parseRss, parseStat } from '../../../bench/procfs.js';

describe('bench options', () => {
  it('defaults: 10 runs, every phase, 3 min flap, 60 s footprint, 50 ms cloud latency', () => {
    const r = parseOptions([]);
    assert.ok(r.ok);
    assert.equal(r.options.runs, 10);
    assert.deepEqual([...r.options.phases], ['agent-crash', 'host-death', 'graceful-stop', 'flap', 'footprint', 'cloud']);
    assert.equal(r.options.cloudLatencyMs, 50);
    assert.equal(r.options.flapMinutes, 3);
    assert.equal(r.options.flapShortened, false);
    assert.equal(r.options.footprintSeconds, 60);
  });

  it('few runs shorten the long phases unless they are given, and say so', () => {
    const r = parseOptions(['--runs', '3']);
    assert.ok(r.ok);
    assert.equal(r.options.flapMinutes, 1);
    assert.equal(r.options.flapShortened, true);
    assert.equal(r.options.footprintSeconds, 20);
    const given = parseOptions(['--runs=3', '--flap-minutes', '3']);
    assert.ok(given.ok);
    assert.equal(given.options.flapMinutes, 3);
    assert.equal(given.options.flapShortened, false);
  });

  it('--only, --skip-flap, --skip-footprint, --impls select what runs', () => {
    const r = parseOptions(['--only', 'host-death,flap', '--skip-flap', '--impls', 'vipd-lan,keepalived']);
    assert.ok(r.ok);
    assert.deepEqual([...r.options.phases], ['host-death']);
    assert.deepEqual(r.options.impls, ['keepalived', 'vipd-lan']);
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

  it('refuses unknown options and bad values with a reason', () => {
    assert.deepEqual(parseOptions(['--runz', '3']), { ok: false, error: 'unknown option "--runz"' });
    const bad = parseOptions(['--runs', '0']);
    assert.equal(bad.ok, false);
    const only = parseOptions(['--only', 'crash']);
    assert.ok(!only.ok && /unknown crash/.test(only.error));
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
