/** `sync_groups:` (src/config/sync-groups.ts): leader first, names checked against `groups`. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneError, TRUST, valid } from './helpers.js';

const group = (name: string, vrid: number, vip: string) => `  - name: ${name}\n    vrid: ${vrid}\n    interface: eth0\n    vips: [${vip}]\n`;
const doc = (sync: string, more = '') =>
  `cluster_id: demo\nnode: {id: node-a}\n${TRUST}groups:\n${group('web', 51, '192.0.2.50/24')}${group('db', 52, '192.0.2.51/24')}${group('cache', 53, '192.0.2.52/24')}${more}${sync}`;

test('sync_groups: the first group leads, the rest follow; none by default', () => {
  assert.deepEqual(valid(doc('')).syncGroups, []);
  assert.deepEqual(valid(doc('sync_groups:\n  - { name: edge, groups: [web, db, cache] }\n')).syncGroups, [
    { name: 'edge', leader: 'web', followers: ['db', 'cache'] },
  ]);
});

test('sync_groups: an unknown group, a group in two sync groups, a lone group and a repeated name are refused with their path', () => {
  oneError(doc('sync_groups:\n  - { name: edge, groups: [web, dns] }\n'), 'sync_groups[0].groups[1]', /no group named "dns" in groups \(there are: web, db, cache\)/);
  oneError(doc('sync_groups:\n  - { name: edge, groups: [web, db] }\n  - { name: back, groups: [cache, db] }\n'), 'sync_groups[1].groups[1]', /group "db" is already in a sync group \(at sync_groups\[0\]\.groups\[1\]\); a group can follow only one leader/);
  oneError(doc('sync_groups:\n  - { name: edge, groups: [web] }\n'), 'sync_groups[0].groups', /needs at least 2 groups, a leader and a follower; got 1/);
  oneError(doc('sync_groups:\n  - { name: edge, groups: [web, db] }\n  - { name: edge, groups: [cache, dns] }\n', group('dns', 54, '192.0.2.53/24')), 'sync_groups[1].name', /sync group "edge" is defined twice/);
  oneError(doc('sync_groups:\n  - { name: edge, groups: [web, db], leader: web }\n'), 'sync_groups[0].leader', /name, groups/);
});
