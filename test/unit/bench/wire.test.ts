/** bench/wire.ts: the capture parsers and decision → bound → gratuitous ARP, on recorded lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decisionEntry, parseLogEntry, parseMonitorLine, parseTcpdumpLine, wireTimes } from '../../../bench/wire.js';

describe('bench wire capture', () => {
  it('parses ip -timestamp -tshort monitor address lines (UTC), bound and deleted, IPv4 only', () => {
    assert.deepEqual(parseMonitorLine('[2026-12-02T04:54:48.454734] 3: eth0    inet 192.0.2.50/24 scope global eth0'), { kind: 'bound', address: '192.0.2.50', wallUs: Date.parse('2026-12-02T04:54:48Z') * 1000 + 454734 });
    assert.equal(parseMonitorLine('[2026-12-02T04:54:48.454734] Deleted 3: eth0    inet 192.0.2.50/24 scope global eth0')?.kind, 'unbound');
    assert.equal(parseMonitorLine('[2026-12-02T04:54:48.648559] 2: d1    inet6 fe80::dc36:5fff:fe92:ec3d/64 scope link'), undefined);
    assert.equal(parseMonitorLine('       valid_lft forever preferred_lft forever'), undefined);
  });

  it('parses tcpdump -tt ARP lines: announcements (who-has X tell X) and replies count, a resolution does not', () => {
    assert.deepEqual(parseTcpdumpLine('1796187288.463756 ARP, Request who-has 192.0.2.50 (ff:ff:ff:ff:ff:ff) tell 192.0.2.50, length 28'), { kind: 'garp', address: '192.0.2.50', wallUs: 1796187288463756 });
    assert.deepEqual(parseTcpdumpLine('1796187289.501304 ARP, Reply 192.0.2.50 is-at 9a:29:d4:00:4e:54, length 28'), { kind: 'garp', address: '192.0.2.50', wallUs: 1796187289501304 });
    assert.equal(parseTcpdumpLine('1796187289.501304 ARP, Request who-has 192.0.2.11 tell 192.0.2.12, length 28'), undefined);
    assert.equal(parseTcpdumpLine('listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes'), undefined);
  });

  it('wireTimes: the first bind and announcement of the VIP at or after the decision, in ms', () => {
    const d = 1_796_187_288_000; // decision, epoch ms
    const events = [
      { kind: 'bound' as const, address: '192.0.2.50', wallUs: d * 1000 - 5_000_000 }, // an earlier term: ignored
      { kind: 'garp' as const, address: '192.0.2.50', wallUs: d * 1000 + 2_340 },
      { kind: 'bound' as const, address: '192.0.2.99', wallUs: d * 1000 + 100 }, // another address
      { kind: 'bound' as const, address: '192.0.2.50', wallUs: d * 1000 + 1_250 },
      { kind: 'garp' as const, address: '192.0.2.50', wallUs: d * 1000 + 9_000 },
    ];
    assert.deepEqual(wireTimes(events, '192.0.2.50', d, 'x'), { decision: 'x', boundMs: 1.25, garpMs: 2.34 });
    assert.deepEqual(wireTimes([], '192.0.2.50', d, 'x'), { decision: 'x' });
  });

  it('the decision is the "taking the VIP" line of a leased group, else the role change into MASTER', () => {
    const line = (time: number, msg: string, group = 'web') => JSON.stringify({ level: 30, time, group, msg });
    const entries = [
      line(100, 'BACKUP -> MASTER (master down)'),
      line(50, 'BACKUP -> MASTER (old)'),
      line(120, 'lease granted by 2 of 3 voters: taking the VIP'),
      line(130, 'BACKUP -> MASTER (other)', 'api'),
      'not json',
    ].flatMap((t) => parseLogEntry(t, 'web') ?? []);
    assert.deepEqual(decisionEntry(entries, 90), { wallMs: 120, msg: 'lease granted by 2 of 3 voters: taking the VIP' });
    assert.deepEqual(decisionEntry(entries.filter((e) => !e.msg.includes('lease')), 90), { wallMs: 100, msg: 'BACKUP -> MASTER (master down)' });
    assert.equal(decisionEntry(entries, 200), undefined);
  });
});
