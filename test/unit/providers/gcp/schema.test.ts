/**
 * The gcp mapping through the real registry (src/app/providers.ts): what a file may say, what
 * create() gets (camelCase, milliseconds, defaults), and one clear error per mistake.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oneError, TRUST, valid } from '../../config/helpers.js';

const doc = (provider: string, vips = '[198.51.100.50/32]') =>
  `cluster_id: demo\nnode: {id: node-a}\ngroups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: ${vips}\n    peers: [node-b, node-c]\n    provider: ${provider}\n${TRUST}`;

describe('gcp schema', () => {
  it('alias-ip with defaults: nic0, 5 s timeout, no members', () => {
    const [p] = valid(doc('{type: gcp, mode: alias-ip}')).groups[0]?.providers ?? [];
    assert.deepEqual(p, { type: 'gcp', options: { mode: 'alias-ip', networkInterface: 'nic0', requestTimeoutMs: 5_000, instances: [] } });
  });

  it('every field of each mode, parsed (bare addresses become /32)', () => {
    const alias = valid(doc('{type: gcp, mode: alias-ip, project: vipd-test, zone: us-central1-a, instance: vipd-a, network_interface: nic1, endpoint: "http://127.0.0.1:8089", metadata_host: "127.0.0.1:8090", request_timeout: 300ms, alias_ranges: [198.51.100.60], subnetwork_range_name: vips, instances: [vipd-b, us-central1-b/vipd-c]}')).groups[0]?.providers[0];
    assert.deepEqual(alias?.options, {
      mode: 'alias-ip', project: 'vipd-test', zone: 'us-central1-a', instance: 'vipd-a', networkInterface: 'nic1', endpoint: 'http://127.0.0.1:8089',
      metadataHost: '127.0.0.1:8090', requestTimeoutMs: 300, instances: ['vipd-b', 'us-central1-b/vipd-c'], aliasRanges: ['198.51.100.60/32'], subnetworkRangeName: 'vips',
    });
    const external = valid(doc('{type: gcp, mode: external-ip, address: vipd-vip}')).groups[0]?.providers[0];
    assert.deepEqual(external?.options, { mode: 'external-ip', networkInterface: 'nic0', requestTimeoutMs: 5_000, instances: [], address: 'vipd-vip', accessConfigName: 'External NAT' });
    const route = valid(doc('{type: gcp, mode: route, network: vpc-a, dest_ranges: [198.51.100.0/28], priority: 100}')).groups[0]?.providers[0];
    assert.deepEqual(route?.options, { mode: 'route', networkInterface: 'nic0', requestTimeoutMs: 5_000, instances: [], network: 'vpc-a', destRanges: ['198.51.100.0/28'], priority: 100 });
  });

  it('external-ip without an address: one error naming the field', () => {
    oneError(doc('{type: gcp, mode: external-ip}'), 'groups[0].provider.address', /static external address/);
  });

  it('a field of another mode is an unknown key, not ignored', () => {
    oneError(doc('{type: gcp, mode: alias-ip, address: vipd-vip}'), 'groups[0].provider.address', /unknown key/);
  });

  it('an unknown mode names the modes; a missing one says required', () => {
    oneError(doc('{type: gcp, mode: elastic}'), 'groups[0].provider.mode', /^must be one of alias-ip, external-ip, route; got "elastic"$/);
    oneError(doc('{type: gcp}'), 'groups[0].provider.mode', /^required \(what the gcp provider moves: alias-ip, external-ip, route\)$/);
  });

  it('request_timeout out of range, a bad zone, a bad member: clear errors', () => {
    oneError(doc('{type: gcp, mode: alias-ip, request_timeout: 10ms}'), 'groups[0].provider.request_timeout', /100ms-2m/);
    oneError(doc('{type: gcp, mode: alias-ip, zone: Europe}'), 'groups[0].provider.zone', /zone such as europe-west1-b/);
    oneError(doc('{type: gcp, mode: alias-ip, instances: [VIPD_B]}'), 'groups[0].provider.instances[0]', /instance name, or zone\/name/);
  });

  it('an IPv6 VIP without explicit ranges: the plugin check says the mode carries IPv4 only', () => {
    oneError(doc('{type: gcp, mode: alias-ip}', '[2001:db8::50/128]'), 'groups[0].provider.mode', /IPv4 only.*2001:db8::50.*alias_ranges/);
    valid(doc('{type: gcp, mode: route, dest_ranges: [198.51.100.50/32]}', '[2001:db8::50/128]'));
  });
});
