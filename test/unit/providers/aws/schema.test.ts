/** The aws provider's mapping in a configuration file, through the real registry (providers/aws/schema.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRUST, oneError, valid } from '../../config/helpers.js';

const doc = (provider: string, vips = '[198.51.100.50/24]') =>
  `cluster_id: demo\nnode: {id: node-a}\ngroups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: ${vips}\n    peers: [node-b, node-c]\n    provider: ${provider}\n${TRUST}`;
const ALLOC = 'eipalloc-0123456789abcdef0';

test('eip: ids, region and timeout parse into the provider options (camelCase, ms)', () => {
  const options = valid(doc(`{type: aws, mode: eip, allocation_id: ${ALLOC}, region: eu-west-1, eni_id: eni-01234567, request_timeout: 2s}`)).groups[0]?.providers[0]?.options;
  assert.deepEqual(options, {
    mode: 'eip', region: 'eu-west-1', instanceId: undefined, eniId: 'eni-01234567', endpoint: undefined, imdsEndpoint: undefined,
    requestTimeoutMs: 2000, allocationId: ALLOC, privateIp: undefined, routeTables: [], cidrs: undefined,
  });
});

test('request_timeout defaults to 5s', () => {
  const options = valid(doc(`{type: aws, mode: eip, allocation_id: ${ALLOC}}`)).groups[0]?.providers[0]?.options as { requestTimeoutMs: number };
  assert.equal(options.requestTimeoutMs, 5000);
});

test('a malformed id names the field and the shape EC2 uses', () => {
  oneError(doc('{type: aws, mode: eip, allocation_id: eipalloc-xyz}'), 'groups[0].provider.allocation_id', /must be an EC2 id "eipalloc-" followed by 8 or 17 lower-case hex digits; got "eipalloc-xyz"/);
  oneError(doc('{type: aws, mode: route, route_tables: [rtb-0123456789abcdef0, igw-01234567]}'), 'groups[0].provider.route_tables[1]', /"rtb-"/);
  oneError(doc(`{type: aws, mode: eip, allocation_id: ${ALLOC}, region: Ireland}`), 'groups[0].provider.region', /an AWS region such as "eu-west-1"/);
});

test('a mode\'s required field, and a field of another mode, are errors', () => {
  oneError(doc('{type: aws, mode: eip}'), 'groups[0].provider.allocation_id', /required in mode eip/);
  oneError(doc('{type: aws, mode: route}'), 'groups[0].provider.route_tables', /required in mode route/);
  oneError(doc(`{type: aws, mode: secondary-ip, allocation_id: ${ALLOC}}`), 'groups[0].provider.allocation_id', /belongs to mode eip, not secondary-ip/);
  oneError(doc('{type: aws, mode: elastic}'), 'groups[0].provider.mode', /one of eip, secondary-ip, route/);
});

test('secondary-ip and eip carry IPv4 VIPs only (plugin check against the group)', () => {
  oneError(doc('{type: aws, mode: secondary-ip}', '[2001:db8::50/64]'), 'groups[0].provider.mode', /secondary-ip carries IPv4 VIPs only/);
});

test('route: cidrs are CIDR blocks; endpoint URLs are http(s)', () => {
  oneError(doc('{type: aws, mode: route, route_tables: [rtb-01234567], cidrs: [192.0.2.50]}'), 'groups[0].provider.cidrs[0]', /no "\/prefix"/);
  oneError(doc(`{type: aws, mode: eip, allocation_id: ${ALLOC}, endpoint: ftp://127.0.0.1}`), 'groups[0].provider.endpoint', /http:\/\/ or https:\/\/ URL/);
  const ok = valid(doc('{type: aws, mode: route, route_tables: [rtb-01234567], cidrs: [192.0.2.0/24, "2001:db8::/64"]}')).groups[0]?.providers[0]?.options as { cidrs: string[] };
  assert.deepEqual(ok.cidrs, ['192.0.2.0/24', '2001:db8::/64']);
});
