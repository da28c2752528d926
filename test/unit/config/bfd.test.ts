/** `bfd:` in the configuration file (src/config/schema.ts, docs/configuration.md "BFD"). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRUST, errors, valid, warnings } from './helpers.js';

const doc = (bfd: string) =>
  `cluster_id: demo\nnode:\n  id: node-a\n${bfd}groups:\n  - {name: web, vrid: 51, interface: eth0, vips: [192.0.2.50/24], peers: [node-b, node-c]}\n${TRUST}`;

test('no bfd section: no BFD', () => {
  assert.equal(valid(doc('')).bfd, undefined);
});

test('bfd defaults: 20 ms, multiplier 3, adaptive, single hop on 3784; multihop on 4784', () => {
  assert.deepEqual(valid(doc('bfd: {enabled: true}\n')).bfd, { enabled: true, intervalMs: 20, multiplier: 3, adaptive: true, mode: 'single-hop', port: 3784 });
  assert.deepEqual(valid(doc('bfd: {enabled: true, mode: multihop, interval: 50ms, multiplier: 5, adaptive: false}\n')).bfd,
    { enabled: true, intervalMs: 50, multiplier: 5, adaptive: false, mode: 'multihop', port: 4784 });
  assert.equal(valid(doc('bfd: {enabled: true, port: 13784}\n')).bfd?.port, 13784);
});

test('bad bfd fields name their path', () => {
  const paths = (bfd: string) => errors(doc(bfd)).map((e) => e.path);
  assert.deepEqual(paths('bfd: {multiplier: 0}\n'), ['bfd.multiplier']);
  assert.deepEqual(paths('bfd: {interval: 20s}\n'), ['bfd.interval']);
  assert.deepEqual(paths('bfd: {mode: echo}\n'), ['bfd.mode']);
  assert.deepEqual(paths('bfd: {port: 70000}\n'), ['bfd.port']);
  assert.deepEqual(paths('bfd: {enable: true}\n'), ['bfd.enable']);
});

test('enabled: true gives no warning: vipd run starts the sessions (the bench reads a bfd warning as "not built")', () => {
  assert.deepEqual(warnings(doc('bfd: {enabled: true}\n')), []);
  assert.deepEqual(warnings(doc('bfd: {enabled: false}\n')), []);
});
