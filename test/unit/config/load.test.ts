import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { TIMING_PRESETS } from '../../../src/config/presets.js';
import { parseConfigText } from '../../../src/config/load.js';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';
import { FIXTURES, REGISTRY, TRUST, errors, oneError, valid } from './helpers.js';

const PEERS = 'peers: [node-b, node-c]';
const group = (fields = '') => `  - {name: web, vrid: 51, interface: eth0, vips: [192.0.2.50/24]${fields}, ${PEERS}}\n`;
const doc = (groups = group(), top = '') => `cluster_id: demo\nnode:\n  id: node-a\n${top}groups:\n${groups}${TRUST}`;

test('minimal config: defaults and the lan preset applied', () => {
  assert.deepEqual(valid(doc()), {
    clusterId: 'demo',
    node: { id: 'node-a', role: 'member', listen: '127.0.0.1:7946' },
    seeds: [],
    insecure: false,
    tls: { ca: join(FIXTURES, 'pki/ca.crt'), cert: join(FIXTURES, 'pki/node-a.crt'), key: join(FIXTURES, 'pki/node-a.key'), allow: ['node-b', 'node-c'] },
    auth: { mode: 'enforce', activeKeyId: 'k1', keys: [{ id: 'k1', secret: Buffer.from('vipd-fixture-key-1-not-a-secret!') }] },
    timing: 'lan',
    log: { level: 'info', format: 'auto' },
    membership: TIMING_PRESETS.lan.membership,
    groups: [{
      name: 'web', vrid: 51, interface: 'eth0', priority: 100, version: 3, advertIntervalCs: 10,
      preempt: true, preemptDelayMs: 0, vips: [{ address: '192.0.2.50', prefixLength: 24, family: 4 }],
      providers: [{ type: 'noop', options: {} }], reassertIntervalMs: 10_000,
      transport: 'unicast', peers: ['node-b', 'node-c'], witnesses: [], quorum: 'majority', leaseStallToleranceMs: 250, crashVerdict: true, handoff: true, tracks: [],
    }],
    checks: [],
    syncGroups: [],
    api: { socket: { path: '/run/vipd/vipd.sock', mode: 0o660 }, http: { host: '127.0.0.1', port: 9641 } },
    configDir: resolve(FIXTURES),
  });
});

test('wan preset: 1s adverts and wan membership timing', () => {
  const config = valid(doc(group(), 'timing: wan\n'));
  assert.equal(config.groups[0]?.advertIntervalCs, 100);
  assert.deepEqual(config.membership, TIMING_PRESETS.wan.membership);
  assert.equal(config.groups[0]?.leaseStallToleranceMs, 2000, 'docs/leases.md: the wan preset rides out a 2 s stall');
});

test('explicit settings win over the preset', () => {
  const config = valid(doc(group(', advert_interval: 2, preempt_delay: 1.5s, lease_stall_tolerance: 1s'), 'timing: lan\nmembership: {probe_interval: 1s, indirect_probes: 5}\n'));
  assert.equal(config.groups[0]?.advertIntervalCs, 200);
  assert.equal(config.groups[0]?.preemptDelayMs, 1500);
  assert.equal(config.groups[0]?.leaseStallToleranceMs, 1000);
  assert.deepEqual(config.membership, { ...TIMING_PRESETS.lan.membership, probeIntervalMs: 1000, indirectProbes: 5 });
});

test('version 2 without advert_interval rounds the lan preset up to 1s', () => {
  assert.equal(valid(doc(group(', version: 2'))).groups[0]?.advertIntervalCs, 100);
});

test('addresses are normalized: default prefix, canonical IPv6', () => {
  const config = valid(doc(`  - {name: v6, vrid: 1, interface: eth0, vips: ["2001:DB8:0::50", "2001:db8::51/64"], ${PEERS}}\n`, ''));
  assert.deepEqual(config.groups[0]?.vips, [
    { address: '2001:db8::50', prefixLength: 128, family: 6 },
    { address: '2001:db8::51', prefixLength: 64, family: 6 },
  ]);
});

test('advert interval rules per version', () => {
  oneError(doc(group(', version: 2, advert_interval: 100ms')), 'groups[0].advert_interval', /whole seconds 1s-255s for version 2 .*got 100ms$/);
  oneError(doc(group(', advert_interval: 15ms')), 'groups[0].advert_interval', /multiple of 10ms, 10ms-40\.95s.*got 15ms$/);
  oneError(doc(group(', advert_interval: 41s')), 'groups[0].advert_interval', /10ms-40\.95s.*got 41s$/);
  oneError(doc(group(', version: 2, advert_interval: 256')), 'groups[0].advert_interval', /got 256s$/);
});

test('cross-field rules name the path of the second occurrence', () => {
  const two = (a: string, b: string) => doc(`  - {${a}, ${PEERS}}\n  - {${b}, ${PEERS}}\n`);
  const web = 'name: web, vrid: 51, interface: eth0, vips: [198.51.100.1]';
  oneError(two(web, 'name: db, vrid: 51, interface: eth0, vips: [198.51.100.2]'), 'groups[1].vrid', /duplicate vrid 51 \(also at groups\[0\]\.vrid\)/);
  oneError(two(web, 'name: web, vrid: 52, interface: eth0, vips: [198.51.100.2]'), 'groups[1].name', /duplicate group name "web"/);
  oneError(two(web, 'name: db, vrid: 52, interface: eth0, vips: [198.51.100.1/24]'), 'groups[1].vips[0]', /duplicate VIP 198\.51\.100\.1 \(also at groups\[0\]\.vips\[0\]\)/);
  oneError(doc(group().replace('192.0.2.50/24', '192.0.2.50, "2001:db8::1"')), 'groups[0].vips[1]', /mixed with IPv4.*one family/);
  oneError(doc(group().replace('node-c', 'node-a')), 'groups[0].peers[1]', /"node-a" is this node's own id/);
  oneError(doc(group(', version: 2').replace('192.0.2.50/24', '"2001:db8::1"')), 'groups[0].version', /version 2 .* IPv4 only/);
  oneError(doc(group(), 'membership: {probe_timeout: 300ms}\n'), 'membership.probe_timeout', /must be shorter than probe_interval \(200ms\)/);
});

test('field errors: bad IP, unknown key, missing key, bad provider', () => {
  const badIp = oneError(doc(group().replace('192.0.2.50/24', '192.0.2.300/24')), 'groups[0].vips[0]', /"192\.0\.2\.300" is not an IPv4 or IPv6 address/);
  assert.deepEqual([badIp.line, badIp.column], [5, 51]);
  oneError(doc(group(', prioritty: 5')), 'groups[0].prioritty', /unknown key "prioritty" \(did you mean "priority"\? allowed: name, vrid, interface, priority,/);
  const top = oneError(doc(group(), 'colour: blue\n'), 'colour', /unknown key "colour" \(allowed: cluster_id, node, seeds, insecure, tls, auth, timing, log, membership, bfd, checks, api, groups, sync_groups\)/);
  assert.deepEqual([top.line, top.column], [4, 1]);
  const missing = oneError(`node: {id: node-a}\ngroups:\n${group()}${TRUST}`, 'cluster_id', /^required \(cluster id/);
  assert.deepEqual([missing.line, missing.column], [1, 1]);
  // Every provider of the registry, in its order (src/app/providers.ts).
  const types = PROVIDER_PLUGINS.map((p) => p.type).join(', ');
  assert.match(types, /^noop, local/);
  oneError(doc(group(', provider: {type: azure}')), 'groups[0].provider.type', new RegExp(`must be one of: ${types}; got "azure"$`));
  oneError(doc(group(', priority: 0')), 'groups[0].priority', /must be an integer 1-255 \(255 = address owner\); got 0/);
  oneError(doc(group().replace('eth0', 'eth0/1')), 'groups[0].interface', /Linux interface name/);
  oneError(doc(group(', preempt_delay: 2h')), 'groups[0].preempt_delay', /must be 0s-1h; got 2h/);
});

test('document-level problems: YAML syntax, empty file, not a mapping', () => {
  const syntax = oneError('cluster_id: demo\nnode: [a\n', '(root)', /^invalid YAML: /);
  assert.equal(syntax.line, 3);
  oneError('', '(root)', /the file is empty/);
  oneError('# only a comment\n', '(root)', /the file is empty/);
  oneError('- a\n', '(root)', /must be a mapping with keys cluster_id, node, .*; got a list/);
  oneError('a: 1\na: 2\n', '(root)', /invalid YAML: Map keys must be unique/);
});

test('all errors are reported, including rules between the groups that did parse', () => {
  const text = doc(`${group(', priority: 300')}  - {name: a, vrid: 1, interface: eth0, vips: [198.51.100.1], ${PEERS}}\n  - {name: b, vrid: 1, interface: eth0, vips: [198.51.100.2], ${PEERS}}\n`, 'timing: fast\n');
  assert.deepEqual(errors(text).map((issue) => issue.path), ['timing', 'groups[0].priority', 'groups[2].vrid']);
});

test('provider local: options in snake_case become the provider\'s own option names, durations in ms', () => {
  const text = [
    'cluster_id: lan', 'node: { id: node-a }', 'groups:', '  - name: web', '    vrid: 51', '    interface: eth0',
    '    vips: [192.0.2.50/24]', '    provider: { type: local, garp_repeat: 3, garp_interval: 100ms, garp_master_delay: 2s, garp_refresh: 0, label: false }', '',
  ].join('\n');
  const r = parseConfigText(text, 'lan.yaml', REGISTRY);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.deepEqual(r.config.groups[0]?.providers, [
    { type: 'local', options: { label: false, announce: { burstCount: 3, burstIntervalMs: 100, secondBurstDelayMs: 2000, refreshIntervalMs: 0 } } },
  ]);
  assert.equal(r.config.groups[0]?.transport, 'multicast');
  assert.equal(r.config.tls, undefined, 'a LAN-only node needs no certificates');
  const bad = parseConfigText(text.replace('garp_repeat: 3', 'garp_repeat: 0'), 'lan.yaml', REGISTRY);
  assert.ok(!bad.ok && bad.errors.some((e) => e.path === 'groups[0].provider.garp_repeat'));
});
