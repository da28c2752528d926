// Issue 8 findings 9 and 11: what the configuration must refuse, or warn about, before vipd
// acts on it: plaintext beyond this host, VIPs that are not unicast host addresses, secrets
// readable by others, files of any size or type, unbounded durations and strings, auth_pass
// counted in characters, and interface names the kernel or ndisc6 would misread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDuration } from '../../../src/config/duration.js';
import { readBoundedFile } from '../../../src/config/files.js';
import { loadConfigFile, MAX_CONFIG_BYTES } from '../../../src/config/load.js';
import { FIXTURES, REGISTRY, TRUST, errors, oneError, valid, warnings } from './helpers.js';

const PEERS = 'peers: [node-b, node-c]';
const group = (fields = '', vips = '192.0.2.50/24') => `  - {name: web, vrid: 51, interface: eth0, vips: [${vips}]${fields}, ${PEERS}}\n`;
const doc = (groups = group(), node = '') => `cluster_id: demo\nnode:\n  id: node-a\n${node}groups:\n${groups}${TRUST}`;
/** One LAN group: VRRP on the link, no peers (transport multicast, quorum none). */
const lanGroup = (fields = '', vips = '192.0.2.50/24') => `  - {name: web, vrid: 51, interface: eth0, vips: [${vips}], transport: multicast${fields}}\n`;

test('finding 9: insecure: true is refused unless every listen, advertise and seed address is loopback', () => {
  const insecure = (node: string, top = '') => `cluster_id: demo\nnode: {id: node-a${node}}\n${top}insecure: true\ngroups:\n${group()}`;
  const rule = /insecure: true \(no TLS, unsigned adverts\) is allowed only on loopback/;
  oneError(insecure(', listen: 0.0.0.0:7946, advertise: 127.0.0.1:7946'), 'node.listen', rule);
  oneError(insecure(', listen: "[::]:7946", advertise: "[::1]:7946"'), 'node.listen', rule);
  oneError(insecure(', listen: 127.0.0.1:7946, advertise: 192.0.2.11:7946'), 'node.advertise', rule);
  oneError(insecure(', listen: "[2001:db8::11]:7946"'), 'node.listen', rule);
  oneError(insecure('', 'seeds: [127.0.0.2:7946, 198.51.100.7:7946]\n'), 'seeds[1]', /198\.51\.100\.7:7946 is not a loopback address: insecure: true/);
  oneError(insecure('', 'seeds: [node-b.example:7946]\n'), 'seeds[0]', /a host name may resolve to any address/);
  oneError(insecure(', listen: localhost:7946'), 'node.listen', /a host name may resolve to any address; write 127\.0\.0\.1 or \[::1\]/);

  const ok = valid(insecure(', listen: 127.0.0.2:0, advertise: 127.0.0.2:7001', 'seeds: [127.0.0.1:7946, "[::1]:7946", 127.255.0.9:7946]\n'));
  assert.equal(ok.insecure, true);
  assert.deepEqual(ok.seeds, ['127.0.0.1:7946', '[::1]:7946', '127.255.0.9:7946']);
  // The default listen address is loopback, so the demo file needs nothing else.
  assert.equal(valid(insecure('')).node.listen, '127.0.0.1:7946');
  // Secure files may listen anywhere.
  assert.equal(valid(doc(group(), '  listen: 0.0.0.0:7946\n  advertise: 192.0.2.11:7946\n')).node.listen, '0.0.0.0:7946');
});

test('finding 11: VIPs that are not unicast host addresses are refused, with the reason', () => {
  const refused: [string, RegExp][] = [
    ['0.0.0.0', /0\.0\.0\.0 is the unspecified address/],
    ['0.1.2.3', /"this network" \(0\.0\.0\.0\/8\)/],
    ['127.0.0.1', /loopback \(127\.0\.0\.0\/8\)/],
    ['127.1.2.3/8', /loopback/],
    ['224.0.0.18', /multicast \(224\.0\.0\.0\/4\)/],
    ['239.1.2.3', /multicast/],
    ['255.255.255.255', /limited broadcast/],
    ['240.0.0.1', /reserved \(240\.0\.0\.0\/4\)/],
    ['192.0.2.0/24', /192\.0\.2\.0 is the network address of 192\.0\.2\.0\/24/],
    ['192.0.2.255/24', /192\.0\.2\.255 is the broadcast address of 192\.0\.2\.0\/24/],
    ['198.51.100.3/30', /broadcast address of 198\.51\.100\.0\/30/],
    ['"::"', /:: is the unspecified address/],
    ['"::1"', /::1 is the loopback address/],
    ['"ff02::12"', /multicast \(ff00::\/8\)/],
    ['"ff05::1:3"', /multicast/],
    ['"2001:db8::/64"', /2001:db8:: is the subnet-router anycast address of 2001:db8::\/64/],
    ['"::ffff:192.0.2.1"', /IPv4-mapped/],
    ['"fe80::50/64"', /link-local .*only with VRRP on one link/],
    ['169.254.1.1/16', /link-local .*only with VRRP on one link/],
  ];
  for (const [vip, reason] of refused) oneError(doc(group('', vip)), 'groups[0].vips[0]', reason);

  // Point-to-point prefixes have no network or broadcast address (RFC 3021, RFC 6164).
  for (const vip of ['198.51.100.0/31', '198.51.100.1/31', '"2001:db8::/127"', '192.0.2.50', '"2001:db8::50/64"']) valid(doc(group('', vip)));
  // Link-local VIPs are fine where every node shares the link: VRRP on it.
  valid(doc(lanGroup('', '169.254.7.7/16')));
  valid(doc(lanGroup('', '"fe80::50/64"')));
});

test('finding 11: at most 255 VIPs per group, as an advert can carry (RFC 5798 §5.2.5)', () => {
  const vips = (n: number) => Array.from({ length: n }, (_, i) => `198.51.100.${i + 1}`).join(', ');
  assert.equal(valid(doc(group('', vips(255)))).groups[0]?.vips.length, 255);
  oneError(doc(group('', `${vips(255)}, 203.0.113.1`)), 'groups[0].vips', /must be a list of 1-255 addresses .*RFC 5798 §5\.2\.5\); got a list of 256$/);
});

test('finding 11: a VIP equal to node.address is refused', () => {
  const found = oneError(doc(group(), '  address: 192.0.2.50\n'), 'groups[0].vips[0]', /192\.0\.2\.50 is node\.address, this node's own address/);
  assert.equal(found.line, 6);
  oneError(doc(group('', '"2001:db8::50/64"'), '  address: "2001:DB8::50"\n'), 'groups[0].vips[0]', /2001:db8::50 is node\.address/);
  valid(doc(group(), '  address: 192.0.2.11\n'));
});

test('finding 11: a TLS key or secret file readable by group or others warns; certificates do not', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-modes-'));
  try {
    for (const name of ['ca.crt', 'node-a.crt', 'node-a.key', 'k1.key']) await copyFile(join(FIXTURES, 'pki', name), join(dir, name));
    await chmod(join(dir, 'ca.crt'), 0o644);
    await chmod(join(dir, 'node-a.crt'), 0o644);
    await chmod(join(dir, 'node-a.key'), 0o640);
    await chmod(join(dir, 'k1.key'), 0o604);
    const file = join(dir, 'vipd.yaml');
    await writeFile(file, doc().replace(TRUST, TRUST.replaceAll('pki/', '')));
    const loaded = await loadConfigFile(file, REGISTRY);
    assert.ok(loaded.ok, JSON.stringify(loaded));
    assert.deepEqual(loaded.warnings.map((w) => [w.path, w.message]), [
      ['tls.key', `private key file "node-a.key" (${join(dir, 'node-a.key')}) is readable by group or others (mode 640); chmod 600 it`],
      ['auth.keys[0].secret_file', `secret file "k1.key" (${join(dir, 'k1.key')}) is readable by group or others (mode 604); chmod 600 it`],
    ]);
    await chmod(join(dir, 'node-a.key'), 0o600);
    await chmod(join(dir, 'k1.key'), 0o400);
    const tight = await loadConfigFile(file, REGISTRY);
    assert.ok(tight.ok);
    assert.deepEqual(tight.warnings, []);

    // An inline secret is as open as the configuration file that holds it.
    const inline = join(dir, 'inline.yaml');
    await writeFile(inline, doc().replace(TRUST, TRUST.replaceAll('pki/', '').replace('secret_file: k1.key', `secret: "${'ab'.repeat(16)}"`)));
    await chmod(inline, 0o644);
    const open = await loadConfigFile(inline, REGISTRY);
    assert.ok(open.ok, JSON.stringify(open));
    assert.deepEqual(open.warnings.map((w) => [w.path, w.line, w.message]), [
      ['auth.keys[0].secret', 7, 'an inline secret in a configuration file that is readable by group or others (mode 644); chmod 600 it, or move the secret to a secret_file of mode 600'],
    ]);
    await chmod(inline, 0o600);
    const closed = await loadConfigFile(inline, REGISTRY);
    assert.deepEqual(closed.ok && closed.warnings, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('finding 11: only regular files of at most MAX_CONFIG_BYTES are read: /dev/urandom, a FIFO and a huge file fail at once', { timeout: 30_000 }, async () => {
  const one = async (path: string, reason: RegExp) => {
    const loaded = await loadConfigFile(path, REGISTRY);
    assert.ok(!loaded.ok);
    assert.equal(loaded.errors.length, 1);
    assert.deepEqual([loaded.errors[0]?.file, loaded.errors[0]?.path], [path, '(root)']);
    assert.match(loaded.errors[0]?.message ?? '', reason);
  };
  await one('/dev/urandom', /^cannot read the file: is not a regular file \(a character device\)$/);
  const dir = await mkdtemp(join(tmpdir(), 'vipd-big-'));
  try {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    await one(fifo, /is not a regular file \(a FIFO\)/);
    await one(dir, /is a directory/);
    const big = join(dir, 'big.yaml');
    await writeFile(big, `# ${'x'.repeat(MAX_CONFIG_BYTES)}\n`);
    await one(big, new RegExp(`is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`));
    // The size stat reports is not trusted: /proc files say 0, and a file may grow.
    const proc = readBoundedFile('/proc/self/status', MAX_CONFIG_BYTES, 'test');
    assert.ok(proc.ok && proc.bytes.toString('utf8').includes('\nPid:'));
    assert.deepEqual(readBoundedFile('/proc/self/status', 100, 'a test'), { ok: false, reason: 'is larger than 100 bytes; a test' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('finding 11: durations have at most 6 digits after the point, 9 before it, and are at most 24h', () => {
  assert.deepEqual(parseDuration('1.005s'), { ok: true, ms: 1005 });
  assert.deepEqual(parseDuration('0.00025h'), { ok: true, ms: 900 });
  assert.deepEqual(parseDuration('24h'), { ok: true, ms: 86_400_000 });
  const refused: [unknown, RegExp][] = [
    [`1.${'0'.repeat(100_000)}s`, /has more than 6 digits after the point/],
    ['1.0000001s', /has more than 6 digits after the point/],
    [`${'9'.repeat(10)}ms`, /too large \(more than 9 digits before the point\); the longest duration is 24h/],
    ['25h', /too large; must be at most 24h/],
    [86_401, /must be at most 24h/],
    [1e300, /too large/],
  ];
  for (const [input, reason] of refused) {
    const parsed = parseDuration(input);
    assert.ok(!parsed.ok, String(input).slice(0, 40));
    assert.match(parsed.reason, reason);
    assert.ok(parsed.reason.length < 200, 'the reason does not echo unbounded input');
  }
  // In a file, with the path.
  oneError(doc(group(', preempt_delay: 1.0000001s')), 'groups[0].preempt_delay', /more than 6 digits after the point/);
});

test('finding 11: long strings are refused with their length, never echoed whole', () => {
  const long = 'a'.repeat(5000);
  const cases: [string, string, RegExp][] = [
    [doc(group('', long)), 'groups[0].vips[0]', /must be at most 49 characters \(the longest IPv6 address and \/128\); got 5000/],
    [doc(group(), `  address: ${long}\n`), 'node.address', /must be at most 45 characters \(the longest IPv6 address\); got 5000/],
    [doc(group(), `  listen: ${long}:7946\n`), 'node.listen', /must be at most 259 characters \(a 253-character host name and a port\); got 5005/],
    [doc().replace('pki/node-a.key', `pki/${long}`), 'tls.key', /must be at most 4095 bytes \(PATH_MAX\); got 5004/],
  ];
  for (const [text, path, reason] of cases) {
    const issue = oneError(text, path, reason);
    assert.ok(!issue.message.includes(long), 'the value is not echoed whole');
  }
  // An unknown key is named, cut, in the message and the path.
  // (YAML itself allows 1024 characters in a plain key.)
  const key = oneError(doc(group(), `  ${long.slice(0, 1000)}: 1\n`), `node["${'a'.repeat(40)}..."]`, /^unknown key "a{40}\.\.\." \(allowed: id, address, role, listen, advertise\)$/);
  assert.equal(key.line, 4);
  const secret = errors(doc().replace('secret_file: pki/k1.key', `secret: ${'ab'.repeat(3000)}`));
  assert.deepEqual(secret.map((e) => [e.path, e.message]), [['auth.keys[0].secret', 'must be at most 1024 characters (the secret, base64 or hex, at least 16 bytes decoded); got 6000']]);
});

test('finding 11: auth_pass is limited in bytes (VRRPv2 Authentication Data is 8 octets), not characters', () => {
  const pass = (text: string) => doc(lanGroup(`, version: 2, auth_pass: "${text}"`));
  assert.equal(valid(pass('abcdefgh')).groups[0]?.authPass, 'abcdefgh');
  assert.equal(valid(pass('ééé')).groups[0]?.authPass, 'ééé'); // 6 bytes
  oneError(pass('ééééé'), 'groups[0].auth_pass', /must be 1-8 bytes .*RFC 2338 §5\.3\.11.*; got 10 bytes/);
  oneError(pass('abcdefghi'), 'groups[0].auth_pass', /got 9 bytes/);
  oneError(pass(''), 'groups[0].auth_pass', /got 0 bytes/);
  assert.equal(warnings(pass('abc')).length, 1);
});

test('finding 11: interface names by the kernel rules, and never starting with "-" (ndisc6 would read an option)', () => {
  const iface = (name: string) => doc(group().replace('interface: eth0', `interface: ${JSON.stringify(name)}`));
  for (const name of ['eth0', 'br-lan.10', 'vtn001z3k0h1', 'a'.repeat(15), 'wlp0s20f3', 'é'.repeat(7)]) assert.equal(valid(iface(name)).groups[0]?.interface, name);
  const refused: [string, RegExp][] = [
    ['-eth0', /must not start with "-"/],
    ['-', /must not start with "-"/],
    ['a'.repeat(16), /at most 15 bytes \(IFNAMSIZ 16 with its NUL\); got 16/],
    ['é'.repeat(8), /at most 15 bytes .*got 16/],
    ['eth0/1', /"\/"/],
    ['eth 0', /whitespace/],
    ['eth0:1', /":"/],
    ['.', /"\." or "\.\."/],
    ['..', /"\." or "\.\."/],
    ['', /empty/],
  ];
  for (const [name, reason] of refused) oneError(iface(name), 'groups[0].interface', reason);
});
