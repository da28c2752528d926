import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { z } from 'zod';
import { section } from '../../../src/config/fields.js';
import { parseConfigText } from '../../../src/config/load.js';
import type { ProviderCatalogue } from '../../../src/config/provider-schema.js';
import type { ProviderGroup } from '../../../src/config/types.js';
import { FIXTURES, FILE, TRUST, oneError, valid } from './helpers.js';

const PEERS = 'peers: [node-b, node-c]';
const doc = (fields: string) => `cluster_id: demo\nnode: {id: node-a}\ngroups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [192.0.2.50/24]\n    ${PEERS}\n${fields}${TRUST}`;

test('no provider and no providers: one noop provider; reassert_interval defaults to 10s', () => {
  const group = valid(doc('')).groups[0];
  assert.deepEqual(group?.providers, [{ type: 'noop', options: {} }]);
  assert.equal(group?.reassertIntervalMs, 10_000);
});

test('providers: a list, kept in the order written (acquired in order, released in reverse)', () => {
  const group = valid(doc('    providers:\n      - {type: local, garp_repeat: 2}\n      - {type: noop}\n')).groups[0];
  assert.deepEqual(group?.providers, [
    { type: 'local', options: { announce: { burstCount: 2 } } },
    { type: 'noop', options: {} },
  ]);
});

test('provider and providers together: one error naming both', () => {
  oneError(doc('    provider: {type: noop}\n    providers: [{type: local}]\n'), 'groups[0].providers', /provider \(one mapping\) or providers \(a list, acquired in order\), not both/, 10);
});

test('providers: an empty list, and not a list', () => {
  oneError(doc('    providers: []\n'), 'groups[0].providers', /must be a list of provider mappings; got an empty list/);
  oneError(doc('    providers: {type: noop}\n'), 'groups[0].providers', /must be a list of provider mappings; got a mapping/);
});

test('a field error inside the list names its index, line and column', () => {
  const issue = oneError(doc('    providers:\n      - {type: noop}\n      - {type: local, garp_repeat: 0}\n'), 'groups[0].providers[1].garp_repeat', /./, 11);
  assert.equal(issue.column, 36);
  oneError(doc('    providers:\n      - {type: noop, colour: red}\n'), 'groups[0].providers[0].colour', /unknown key "colour" \(allowed: type\)/, 10);
});

test('the local provider keeps its rules: garp_refresh is 0 or at least 1s', () => {
  oneError(doc('    provider: {type: local, garp_refresh: 500ms}\n'), 'groups[0].provider.garp_refresh', /^must be 0 \(never\) or at least 1s; got 500ms$/, 9);
  oneError(doc('    provider: {type: local, garp_interval: 11s}\n'), 'groups[0].provider.garp_interval', /^must be 0s-10s; got 11s$/);
});

test('reassert_interval: 100ms-1h', () => {
  assert.equal(valid(doc('    reassert_interval: 250ms\n')).groups[0]?.reassertIntervalMs, 250);
  assert.equal(valid(doc('    reassert_interval: 30\n')).groups[0]?.reassertIntervalMs, 30_000);
  oneError(doc('    reassert_interval: 50ms\n'), 'groups[0].reassert_interval', /^must be 100ms-1h; got 50ms$/);
  oneError(doc('    reassert_interval: 2h\n'), 'groups[0].reassert_interval', /^must be 100ms-1h; got 2h$/);
});

/** A catalogue of the test's own: the configuration code takes whatever providers it is given. */
function catalogue(seen: ProviderGroup[]): ProviderCatalogue {
  const fake = section(
    { type: z.literal('fake').describe('fake'), mode: z.enum(['a', 'b']).describe('the mode'), zone: z.string().optional().describe('a zone') },
    'the fake provider',
  ).transform((raw) => ({ mode: raw.mode, zone: raw.zone ?? 'none' }));
  return [
    { type: 'noop', schema: section({ type: z.literal('noop') }, 'noop').transform(() => ({})) },
    {
      type: 'fake',
      schema: fake,
      check: (options, group) => {
        seen.push(group);
        const { mode } = options as { mode: string };
        return mode === 'b' && group.vips.some((v) => v.family === 4) ? [{ path: ['mode'], message: 'mode b carries IPv6 only' }] : [];
      },
    },
  ];
}

test('an injected catalogue: its types in the unknown-type message, its options parsed, its check() run with the group', () => {
  const seen: ProviderGroup[] = [];
  const providers = catalogue(seen);
  const parse = (fields: string) => parseConfigText(doc(fields), FILE, { providers });
  const unknown = parse('    provider: {type: local}\n');
  assert.ok(!unknown.ok);
  assert.deepEqual(unknown.errors.map((e) => [e.path, e.message]), [['groups[0].provider.type', 'must be one of: noop, fake; got "local"']]);

  const ok = parse('    provider: {type: fake, mode: a}\n    reassert_interval: 2s\n');
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.errors));
  assert.deepEqual(ok.config.groups[0]?.providers, [{ type: 'fake', options: { mode: 'a', zone: 'none' } }]);
  assert.deepEqual(seen, [{
    name: 'web', interface: 'eth0', vips: [{ address: '192.0.2.50', prefixLength: 24, family: 4 }],
    fenced: true, reassertIntervalMs: 2000, configDir: resolve(FIXTURES),
  }]);

  const checked = parse('    providers:\n      - {type: noop}\n      - {type: fake, mode: b}\n');
  assert.ok(!checked.ok);
  assert.deepEqual(checked.errors.map((e) => [e.path, e.line, e.message]), [['groups[0].providers[1].mode', 11, 'mode b carries IPv6 only']]);
});

test('a VRRP group is not fenced: its terms are not ordered across the cluster', () => {
  const seen: ProviderGroup[] = [];
  const text = 'cluster_id: lan\nnode: {id: node-a}\ngroups:\n  - {name: web, vrid: 51, interface: eth0, vips: [192.0.2.50/24], provider: {type: fake, mode: a}}\n';
  const r = parseConfigText(text, FILE, { providers: catalogue(seen) });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.config.groups[0]?.transport, 'multicast');
  assert.equal(seen[0]?.fenced, false);
});
