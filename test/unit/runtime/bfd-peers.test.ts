/**
 * The BFD glue (src/runtime/bfd-peers.ts) against fake sessions: which members get a session
 * (wanted, IPv4 host, known to membership), that a leave stops it, that a Down reaches
 * membership and the voters while a peer's AdminDown reaches nothing, and that an address
 * without an IPv4 host is refused.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { BfdState } from '../../../src/core/bfd/packet.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { LivenessMessage } from '../../../src/ports/liveness-reports.js';
import { BfdPeers, ipv4Host, type BfdMemberView } from '../../../src/runtime/bfd-peers.js';
import type { BfdSessions, BfdSessionsOptions } from '../../../src/runtime/bfd-sessions.js';
import { silentLogger } from '../../fakes/silent-logger.js';

const clock: Clock = { now: () => 0, schedule: () => () => undefined };

function rig(wanted: (id: string) => boolean) {
  const peers = new Map<string, BfdState>();
  const sent: Array<[string, LivenessMessage]> = [];
  const downs: string[] = [];
  const members = new Map<string, BfdMemberView>();
  let onChange: NonNullable<BfdSessionsOptions['onChange']> = () => undefined;
  let local = '';
  const fake = {
    start: async () => undefined,
    addPeer: async (p: string) => { peers.set(p, 'Down'); },
    removePeer: (p: string) => { peers.delete(p); },
    state: (p: string) => peers.get(p),
    stop: async () => undefined,
    halt: async () => undefined,
  };
  const bfd = new BfdPeers({
    self: 'b',
    sessions: (at, cb) => {
      local = at;
      onChange = cb;
      return fake as unknown as BfdSessions;
    },
    reports: { send: (to, m) => sent.push([to, m]), onMessage: () => undefined },
    reportTtlMs: 1000,
    groups: [{ name: 'web', voters: ['a', 'b', 'w'] }],
    wanted,
    witness: false,
    members: () => members,
    bfdDown: (id) => downs.push(id),
    clock,
    logger: silentLogger,
  });
  return { bfd, peers, sent, downs, members, change: (...a: Parameters<typeof onChange>) => onChange(...a), local: () => local };
}

it('runs sessions to the wanted members at their IPv4 hosts, and stops them when they leave', async () => {
  const r = rig((id) => id === 'a' || id === 'w');
  r.members.set('a', { address: '127.0.0.21:4000', state: 'alive' });
  r.members.set('x', { address: '127.0.0.29:4000', state: 'alive' });
  r.members.set('w', { address: 'host.example:4000', state: 'alive' });
  await r.bfd.start('127.0.0.22:5000');
  assert.equal(r.local(), '127.0.0.22');
  assert.deepEqual([...r.peers.keys()], ['127.0.0.21'], 'x is not wanted, w has no IPv4 host');
  r.members.set('w', { address: '127.0.0.23:4000', state: 'alive' });
  r.bfd.sync();
  assert.deepEqual([...r.peers.keys()].sort(), ['127.0.0.21', '127.0.0.23']);
  r.members.set('a', { address: '127.0.0.21:4000', state: 'left' });
  r.bfd.sync();
  assert.deepEqual([...r.peers.keys()], ['127.0.0.23']);
  assert.equal(r.bfd.state('a'), undefined);
});

it('a Down reaches membership and the other voters; a peer AdminDown reaches nothing', async () => {
  const r = rig(() => true);
  r.members.set('a', { address: '127.0.0.21:4000', state: 'alive' });
  r.members.set('w', { address: '127.0.0.23:4000', state: 'alive' });
  await r.bfd.start('127.0.0.22:5000');
  r.change('127.0.0.21', false, 3, 'neighbor signaled AdminDown', true);
  assert.equal(r.downs.length, 0);
  assert.equal(r.sent.length, 0);
  r.change('127.0.0.21', false, 1, 'no packet for 60 ms', false);
  assert.deepEqual(r.downs, ['a']);
  assert.deepEqual(r.sent.filter(([, m]) => m.kind === 'report'), [['w', { kind: 'report', subject: 'a', down: true }]]);
  r.change('127.0.0.99', false, 1, 'stranger', false);
  assert.deepEqual(r.downs, ['a'], 'an address that is no member of ours maps to nobody');
});

it('refuses an address without an IPv4 host', async () => {
  await assert.rejects(rig(() => true).bfd.start('[2001:db8::1]:5000'), /no IPv4 host/);
  assert.equal(ipv4Host('192.0.2.1:80'), '192.0.2.1');
  assert.equal(ipv4Host('node.example:80'), undefined);
});
