/** planReload (src/app/reload.ts): which changes apply in place, and why the others need a restart. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planReload } from '../../../src/app/reload.js';
import { TRUST, valid } from '../config/helpers.js';

const PEERS = 'peers: [node-b], quorum: none';
const web = (more = '') => `  - {name: web, vrid: 51, interface: eth0, vips: [192.0.2.50/24], ${PEERS}${more}}\n`;
const db = (more = '') => `  - {name: db, vrid: 52, interface: eth0, vips: [192.0.2.51/24], ${PEERS}${more}}\n`;
const doc = (groups: string, top = '') => `cluster_id: demo\nnode: {id: node-a}\n${top}groups:\n${groups}${TRUST}`;

test('unicast groups: a changed group restarts in place, an added one starts, a removed one stops; the rest untouched', () => {
  const p = planReload(valid(doc(web() + db())), valid(doc(web(', priority: 150') + `  - {name: dns, vrid: 53, interface: eth0, vips: [192.0.2.53/24], ${PEERS}}\n`)));
  assert.deepEqual(p.restart, []);
  assert.deepEqual(p.add.map((g) => g.name), ['web', 'dns']);
  assert.deepEqual(p.remove, ['web', 'db']);
  assert.deepEqual(p.lines, [
    'group web changed: priority: restarted in place (a master hands off first)',
    'group dns added: started',
    'group db removed: stopped (a master hands off first)',
  ]);
  const none = planReload(valid(doc(web() + db())), valid(doc(web() + db())));
  assert.deepEqual([none.lines, none.add, none.remove], [[], [], []]);
});

test('what needs a restart says why', () => {
  const checks = 'checks: [{name: app, type: exec, command: [/bin/true]}]\n';
  const cases: [string, string, string, RegExp][] = [
    ['VRRP beside gRPC', doc(web(', transport: both')), doc(web(', transport: both, priority: 150')), /group web changed: priority \(it speaks VRRP beside gRPC \(transport both\)/],
    ['bfd', doc(web(), 'bfd: {enabled: true}\n'), doc(web(', priority: 150'), 'bfd: {enabled: true}\n'), /bfd is enabled: BFD sessions/],
    ['a check no group tracked', doc(web(), checks), doc(web(', track: [app]'), checks), /it tracks app, which no running group tracks/],
    ['new notify hooks', doc(web()), doc(web(', notify: {master: [/bin/true]}')), /its notify hooks are new/],
    ['a provider not loaded', doc(web()), doc(web(', provider: {type: local}')), /provider local is not loaded/],
  ];
  for (const [what, before, after, why] of cases) {
    const p = planReload(valid(before), valid(after));
    assert.equal(p.restart.length, 1, `${what}: ${p.lines.join('\n')}`);
    assert.match(p.restart[0] ?? '', why, what);
    assert.match(p.lines.at(-1) ?? '', /needs a restart \(systemctl restart vipd\)$/, what);
  }
  // What the node can do decides: a VRRP-only node adds VRRP groups, not unicast ones; a node
  // without a VRRP transport cannot add a VRRP group.
  const lanOnly = { inPlace: (t: string) => t === 'multicast' };
  const lan = planReload(valid(doc(web())), valid(doc(web() + db())), lanOnly);
  assert.match(lan.restart[0] ?? '', /group db added \(this node speaks only VRRP/);
  const vrrp = (name: string, vrid: number, more = '') => `  - {name: ${name}, vrid: ${vrid}, interface: eth0, vips: [192.0.2.${vrid}/24], transport: multicast${more}}\n`;
  const ok = planReload(valid(doc(vrrp('web', 51))), valid(doc(vrrp('web', 51, ', priority: 150') + vrrp('db', 52))), lanOnly);
  assert.deepEqual([ok.restart, ok.add.map((g) => g.name), ok.remove], [[], ['web', 'db'], ['web']]);
  const unicastOnly = planReload(valid(doc(web())), valid(doc(web() + vrrp('db', 52))), { inPlace: (t) => t === 'unicast' });
  assert.match(unicastOnly.restart[0] ?? '', /group db added \(this node has no VRRP transport yet/);
});
