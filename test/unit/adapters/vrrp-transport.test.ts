/**
 * VrrpTransport receive checks (issue 4 acceptance): malformed packets, TTL < 255, other
 * VRIDs, the wrong version and a wrong PASS are dropped, counted by reason and logged once per
 * reason; good packets reach the election. Packets are built with the wire encoders.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VRRP_DROP_REASONS } from '../../../src/adapters/vrrp/drop-reasons.js';
import { VrrpTransport, type VrrpConn, type VrrpGroup } from '../../../src/adapters/vrrp/vrrp-transport.js';
import type { ReceivedPacket } from '../../../src/ports/packet-conn.js';
import type { GroupAdvert } from '../../../src/ports/peer-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { encodeIpv4 } from '../../../src/wire/ipv4.js';
import { encodeVrrp, passAuthData, type VrrpMessage } from '../../../src/wire/vrrp.js';
import { recordingLogger } from '../../fakes/recording-logger.js';

const SRC = '192.0.2.12';
const DST = '224.0.0.18';

function packet(msg: VrrpMessage, ttl = 255): Uint8Array {
  const payload = encodeVrrp(msg, { family: 4, source: SRC, destination: DST });
  return encodeIpv4({ tos: 0xc0, identification: 1, dontFragment: false, moreFragments: false, fragmentOffset: 0, ttl, protocol: 112, source: SRC, destination: DST, options: new Uint8Array(), payload });
}

const v3 = (vrid = 51, priority = 100): VrrpMessage => ({ version: 3, vrid, priority, maxAdvertIntervalCs: 10, addresses: ['192.0.2.50'] });
const v2 = (pass?: string): VrrpMessage => ({
  version: 2, vrid: 52, priority: 100, advertIntervalS: 1, addresses: ['192.0.2.60'],
  authType: pass === undefined ? 0 : 1, authData: pass === undefined ? new Uint8Array(8) : passAuthData(pass),
});

function setup(groups: VrrpGroup[]) {
  let deliver: ((p: ReceivedPacket) => void) | undefined;
  const sent: Array<{ data: Uint8Array; destination: string }> = [];
  const conn: VrrpConn = {
    address: '192.0.2.11',
    open: async (h) => { deliver = h; },
    send: async (data, destination) => { sent.push({ data, destination }); },
    close: async () => undefined,
  };
  const metrics = new MetricsRegistry();
  const logger = recordingLogger();
  const t = new VrrpTransport({ groups, open: () => conn, logger, metrics });
  const got: GroupAdvert[] = [];
  return {
    t, metrics, logger, got, sent,
    start: () => t.start((m) => got.push(m)),
    inject: (data: Uint8Array) => deliver?.({ data, source: SRC }),
  };
}

const web: VrrpGroup = { group: 'web', vrid: 51, version: 3, family: 4, interface: 'eth0', vips: ['192.0.2.50'] };
const legacy: VrrpGroup = { group: 'legacy', vrid: 52, version: 2, family: 4, interface: 'eth0', vips: ['192.0.2.60'], pass: 'secret1' };

describe('VRRP transport receive checks', () => {
  it('delivers a good advert as an election advert from the source address (term 0)', async () => {
    const s = setup([web]);
    await s.start();
    s.inject(packet(v3(51, 150)));
    assert.deepEqual(s.got, [{ group: 'web', advert: { vrid: 51, sender: { nodeId: SRC, address: SRC }, priority: 150, advertIntervalCs: 10, term: 0 } }]);
  });

  it('drops, counts per reason and logs once per reason: malformed, TTL 64, wrong version, wrong PASS', async () => {
    const s = setup([web, legacy]);
    await s.start();
    const bad = {
      malformed: Uint8Array.from([0x45, 0, 0, 5]),
      ttl: packet(v3(), 64),
      version: packet({ ...v2(), vrid: 51 }),
      auth: packet(v2('wrong')),
    };
    for (let i = 0; i < 3; i++) for (const p of Object.values(bad)) s.inject(p);
    assert.equal(s.got.length, 0);
    for (const reason of Object.keys(bad)) {
      assert.equal(s.metrics.get('vipd_vrrp_dropped_total', { interface: 'eth0', reason }), 3, reason);
    }
    const warns = s.logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('dropped VRRP packet'));
    assert.equal(warns.length, 4, warns.map((w) => w.msg).join('\n'));
    assert.ok(warns.some((w) => /IPv4 TTL is 64; should be 255/.test(w.msg)));
    assert.ok(warns.some((w) => /wrong PASS password/.test(w.msg)));
  });

  it('an advert listing no address is dropped as no-addresses (RFC 5798 §5.2.5: the minimum count is 1), v3 and v2', async () => {
    const s = setup([web, { ...legacy, pass: undefined }]);
    await s.start();
    for (let i = 0; i < 3; i++) {
      s.inject(packet({ ...v3(51, 200), addresses: [] }));
      s.inject(packet({ ...v2(), addresses: [] }));
    }
    assert.equal(s.got.length, 0, 'neither reaches the election');
    assert.equal(s.metrics.get('vipd_vrrp_dropped_total', { interface: 'eth0', reason: 'no-addresses' }), 6);
    const warns = s.logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('dropped VRRP packet'));
    assert.equal(warns.length, 1, warns.map((w) => w.msg).join('\n'));
    assert.match(warns[0]?.msg ?? '', /lists no address \(RFC 5798 §5\.2\.5: at least 1\)/);
    assert.deepEqual([...VRRP_DROP_REASONS].sort(), ['auth', 'malformed', 'no-addresses', 'other-vrid', 'ttl', 'version']);
  });

  it('another VRID on the segment is not delivered, counted every time and logged once', async () => {
    const s = setup([web]);
    await s.start();
    for (let i = 0; i < 5; i++) s.inject(packet(v3(77)));
    assert.equal(s.got.length, 0);
    assert.equal(s.metrics.get('vipd_vrrp_dropped_total', { interface: 'eth0', reason: 'other-vrid' }), 5);
    const logged = s.logger.lines.filter((l) => l.msg.startsWith('dropped'));
    assert.equal(logged.length, 1);
    assert.match(logged[0]?.msg ?? '', /for VRID 77, which this node does not run/);
  });

  it('accepts the right PASS, warns at start that PASS is cleartext, and sends PASS adverts', async () => {
    const s = setup([legacy]);
    await s.start();
    assert.ok(s.logger.lines.some((l) => l.level === 'warn' && /cleartext/.test(l.msg)));
    s.inject(packet(v2('secret1')));
    assert.equal(s.got.length, 1);
    s.t.send({ group: 'legacy', advert: { vrid: 52, sender: { nodeId: 'me' }, priority: 100, advertIntervalCs: 100, term: 3 } });
    await new Promise((r) => setImmediate(r));
    const out = s.sent[0];
    assert.equal(out?.destination, DST);
    assert.deepEqual([...(out?.data.subarray(0, 6) ?? [])], [0x21, 52, 100, 1, 1, 1], 'v2, VRID 52, prio 100, 1 address, PASS, 1 s');
  });
});

describe('VRRP transport stop', () => {
  it('lets a send already queued (the priority-0 advert) leave before the socket closes', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const conn: VrrpConn = {
      address: '192.0.2.11',
      open: async () => undefined,
      send: () => new Promise<void>((r) => { release = () => { order.push('sent'); r(); }; }),
      close: async () => { order.push('closed'); },
    };
    const t = new VrrpTransport({ groups: [web], open: () => conn, logger: recordingLogger(), metrics: new MetricsRegistry() });
    await t.start(() => undefined);
    t.send({ group: 'web', advert: { vrid: 51, sender: { nodeId: 'me' }, priority: 0, advertIntervalCs: 10, term: 1 } });
    const stopped = t.stop();
    setTimeout(() => release(), 20);
    await stopped;
    assert.deepEqual(order, ['sent', 'closed']);
  });
});
