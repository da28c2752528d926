// The unicast cluster settings (issue 3): node role and addresses, seeds, TLS, advert
// signing, and per-group transport, witnesses and quorum.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadConfigFile } from '../../../src/config/load.js';
import { FIXTURES, REGISTRY, errors, oneError, oneWarning, valid, warnings } from './helpers.js';

const NODE = 'node:\n  id: node-a\n';
const TLS = 'tls:\n  ca: pki/ca.crt\n  cert: pki/node-a.crt\n  key: pki/node-a.key\n';
const AUTH = 'auth:\n  active_key: k1\n  keys:\n    - id: k1\n      secret_file: pki/k1.key\n';
const groupBlock = (extra = '    peers: [node-b, node-c]\n') => `  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [192.0.2.50/24]\n${extra}`;
const GROUPS = `groups:\n${groupBlock()}`;

/** A valid document; each part is replaced whole (pass '' to leave it out). */
function yaml(parts: { node?: string; top?: string; tls?: string; auth?: string; groups?: string } = {}): string {
  const { node = NODE, top = '', tls = TLS, auth = AUTH, groups = GROUPS } = parts;
  return `cluster_id: demo\n${node}${top}${tls}${auth}${groups}`;
}

/** 1-based line of the first line that contains `needle`, so tests say where, not a number. */
function lineOf(text: string, needle: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `${needle} not in the document`);
  return index + 1;
}

const pki = (name: string) => join(FIXTURES, 'pki', name);

test('defaults: member on 127.0.0.1:7946, no seeds, secure, unicast with majority quorum', () => {
  const config = valid(yaml());
  assert.deepEqual(config.node, { id: 'node-a', role: 'member', listen: '127.0.0.1:7946' });
  assert.deepEqual(config.seeds, []);
  assert.equal(config.insecure, false);
  assert.deepEqual(config.tls, { ca: pki('ca.crt'), cert: pki('node-a.crt'), key: pki('node-a.key'), allow: ['node-b', 'node-c'] });
  assert.deepEqual(config.auth, { mode: 'enforce', activeKeyId: 'k1', keys: [{ id: 'k1', secret: Buffer.from('vipd-fixture-key-1-not-a-secret!') }] });
  const [group] = config.groups;
  assert.deepEqual([group?.transport, group?.peers, group?.witnesses, group?.quorum], ['unicast', ['node-b', 'node-c'], [], 'majority']);
});

test('addresses are canonical: IPv6 compressed in brackets, names lower case, port 0 allowed to listen', () => {
  const config = valid(yaml({
    node: `${NODE}  listen: "[2001:DB8:0::7]:0"\n  advertise: Node-A.Example:7946\n`,
    top: 'seeds: [192.0.2.12:7946, "[2001:db8::13]:7946", node-c.example:17946]\n',
  }));
  assert.deepEqual(config.node, { id: 'node-a', role: 'member', listen: '[2001:db8::7]:0', advertise: 'node-a.example:7946' });
  assert.deepEqual(config.seeds, ['192.0.2.12:7946', '[2001:db8::13]:7946', 'node-c.example:17946']);
});

test('listen, advertise and seeds: malformed endpoints', () => {
  const listen = (value: string) => yaml({ node: `${NODE}  listen: "${value}"\n` });
  const at = (value: string) => lineOf(listen(value), 'listen:');
  oneError(listen('127.0.0.1'), 'node.listen', /has no port; expected host:port/, at('127.0.0.1'));
  oneError(listen('2001:db8::7:7946'), 'node.listen', /write an IPv6 address in brackets/);
  oneError(listen('127.0.0.1:65536'), 'node.listen', /port "65536" must be an integer 0-65535/);
  oneError(listen('[192.0.2.1]:7946'), 'node.listen', /brackets are for IPv6 addresses/);
  oneError(listen('999.1.1.1:7946'), 'node.listen', /"999\.1\.1\.1" is not an IPv4 address, \[IPv6\] address or host name/);
  oneError(listen('bad_name:7946'), 'node.listen', /is not an IPv4 address, \[IPv6\] address or host name/);
  const advertise = yaml({ node: `${NODE}  advertise: 198.51.100.7:0\n` });
  oneError(advertise, 'node.advertise', /port 0 cannot be dialed/, lineOf(advertise, 'advertise:'));
  const seeds = yaml({ top: 'seeds:\n  - 192.0.2.12:7946\n  - 0.0.0.0:7946\n' });
  oneError(seeds, 'seeds[1]', /0\.0\.0\.0 means "every address" and cannot be dialed/, lineOf(seeds, '0.0.0.0'));
  oneError(yaml({ top: 'seeds: 192.0.2.12:7946\n' }), 'seeds', /must be a list of host:port/);
});

test('listen on every address needs advertise: peers cannot dial "any"', () => {
  for (const any of ['0.0.0.0:7946', '"[::]:7946"']) {
    const text = yaml({ node: `${NODE}  listen: ${any}\n` });
    // A missing key points at the mapping that lacks it, which starts at its first key.
    oneError(text, 'node.advertise', /^required when listen is .*7946 \(every address\): peers cannot dial "any"/, lineOf(text, 'id: node-a'));
  }
  valid(yaml({ node: `${NODE}  listen: 0.0.0.0:7946\n  advertise: 198.51.100.7:7946\n` }));
});

test('seeds: no duplicates (compared canonically), never our own listen or advertise address', () => {
  const dup = yaml({ top: 'seeds:\n  - "[2001:db8::13]:7946"\n  - "[2001:DB8:0::13]:7946"\n' });
  oneError(dup, 'seeds[1]', /duplicate seed \[2001:db8::13\]:7946 \(also at seeds\[0\]\)/, lineOf(dup, 'DB8'));
  const ownListen = yaml({ top: 'seeds: [127.0.0.1:7946]\n' });
  oneError(ownListen, 'seeds[0]', /127\.0\.0\.1:7946 is this node's own address \(node\.listen\)/, lineOf(ownListen, 'seeds:'));
  const ownAdvertise = yaml({ node: `${NODE}  listen: 0.0.0.0:7946\n  advertise: 198.51.100.7:7946\n`, top: 'seeds: [192.0.2.12:7946, 198.51.100.7:7946]\n' });
  oneError(ownAdvertise, 'seeds[1]', /is this node's own address \(node\.advertise\)/);
});

test('role: a witness has no groups; a member has at least one', () => {
  const witness = (groups: string) => yaml({ node: `${NODE}  role: witness\n`, top: 'seeds: [192.0.2.12:7946]\n', tls: `${TLS}  allow: [node-b]\n`, groups });
  const config = valid(witness(''));
  assert.equal(config.node.role, 'witness');
  assert.deepEqual(config.groups, []);
  valid(witness('groups: []\n'));
  const withGroups = witness(GROUPS);
  oneError(withGroups, 'groups', /must be absent or empty for a witness \(node\.role: witness votes but holds no VIPs\)/, lineOf(withGroups, '- name: web'));

  oneError(yaml({ groups: '' }), 'groups', /^required \(the virtual routers this node takes part in; a member needs at least one/, 1);
  const empty = yaml({ groups: 'groups: []\n' });
  oneError(empty, 'groups', /must be a list of at least one group for a member; got an empty list/, lineOf(empty, 'groups:'));
  oneError(yaml({ node: `${NODE}  role: observer\n` }), 'node.role', /must be one of member, witness; got "observer"/);
});

test('insecure: true warns on every load, and tls and auth are then ignored', () => {
  const text = yaml({ top: 'insecure: true\n', tls: '', auth: '' });
  const config = valid(text);
  assert.equal(config.insecure, true);
  assert.equal(config.tls, undefined);
  assert.equal(config.auth, undefined);
  oneWarning(text, 'insecure', /^insecure: true disables TLS and advert signing; for demos only$/, lineOf(text, 'insecure:'));
  const both = yaml({ top: 'insecure: true\n' });
  assert.deepEqual(warnings(both).map((w) => [w.path, w.line, w.message]), [
    ['insecure', lineOf(both, 'insecure:'), 'insecure: true disables TLS and advert signing; for demos only'],
    ['tls', lineOf(both, 'ca:'), 'ignored: insecure: true disables TLS'],
    ['auth', lineOf(both, 'active_key:'), 'ignored: insecure: true disables advert signing'],
  ]);
});

test('tls and auth are required unless insecure: true', () => {
  oneError(yaml({ tls: '' }), 'tls', /^required unless insecure: true \(mutual TLS/, 1);
  oneError(yaml({ auth: '' }), 'auth', /^required unless insecure: true \(advert signing/, 1);
  oneError(yaml({ top: 'insecure: no\n', tls: '' }), 'insecure', /must be true or false; got "no"/);
});

test('tls files: existence checked at load, the error names the file and the reason', () => {
  const text = yaml({ tls: 'tls:\n  ca: pki/missing-ca.crt\n  cert: pki\n  key: pki/node-a.key\n' });
  const found = errors(text);
  assert.deepEqual(found.map((e) => [e.path, e.line, e.message]), [
    ['tls.ca', lineOf(text, 'ca:'), `CA certificate file "pki/missing-ca.crt" (${pki('missing-ca.crt')}): no such file`],
    ['tls.cert', lineOf(text, 'cert:'), `certificate file "pki" (${join(FIXTURES, 'pki')}): is a directory`],
  ]);
  oneError(yaml({ tls: `tls:\n  ca: ${pki('ca.crt')}\n  cert: pki/node-a.crt\n  key: /nonexistent/vipd/node-a.key\n` }), 'tls.key', /^private key file \/nonexistent\/vipd\/node-a\.key: no such file$/);
  oneError(yaml({ tls: 'tls:\n  ca: pki/ca.crt\n  cert: pki/node-a.crt\n' }), 'tls.key', /^required \(PEM file of this node's private key/);
  oneError(yaml({ tls: `${TLS}  crt: x\n` }), 'tls.crt', /unknown key "crt" \(did you mean "cert"\?/);
});

test('relative paths are resolved against the directory of the configuration file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-config-'));
  await mkdir(join(dir, 'etc', 'pki'), { recursive: true });
  for (const name of ['ca.crt', 'node-a.crt', 'node-a.key']) await writeFile(join(dir, 'etc', 'pki', name), 'dummy\n');
  await writeFile(join(dir, 'etc', 'pki', 'k1.key'), `  ${'0f'.repeat(32)}\n\n`);
  await writeFile(join(dir, 'etc', 'vipd.yaml'), yaml());
  // Loaded by a relative name from another working directory: the files are still found.
  const result = await loadConfigFile(relative(process.cwd(), join(dir, 'etc', 'vipd.yaml')), REGISTRY);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.equal(result.config.tls?.ca, join(dir, 'etc', 'pki', 'ca.crt'));
  assert.equal(result.config.tls?.key, join(dir, 'etc', 'pki', 'node-a.key'));
  assert.deepEqual(result.config.auth?.keys, [{ id: 'k1', secret: Buffer.alloc(32, 0x0f) }]);
});

test('tls.allow: defaults to the peers and witnesses of every group', () => {
  const groups = `groups:\n${groupBlock('    peers: [node-b]\n    witnesses: [witness-1]\n')}  - {name: db, vrid: 52, interface: eth0, vips: [192.0.2.60], peers: [node-c, node-b]}\n`;
  assert.deepEqual(valid(yaml({ groups })).tls?.allow, ['node-b', 'witness-1', 'node-c']);
  assert.deepEqual(valid(yaml({ tls: `${TLS}  allow: [node-x]\n`, groups: `groups:\n${groupBlock('    transport: unicast\n')}` })).tls?.allow, ['node-x']);
});

test('tls.allow: an empty allow-list is an error when seeds are set', () => {
  const lone = `groups:\n${groupBlock('    transport: unicast\n')}`;
  const byDefault = yaml({ top: 'seeds: [192.0.2.12:7946]\n', groups: lone });
  oneError(byDefault, 'tls.allow', /^required when seeds are set and no group lists peers or witnesses/, lineOf(byDefault, 'ca:'));
  const explicit = yaml({ top: 'seeds: [192.0.2.12:7946]\n', tls: `${TLS}  allow: []\n` });
  oneError(explicit, 'tls.allow', /must list at least one node id when seeds are set/, lineOf(explicit, 'allow:'));
  // Without seeds an empty allow-list is a node that accepts no one: legal, if lonely.
  assert.deepEqual(valid(yaml({ groups: lone })).tls?.allow, []);
});

test('tls.allow: duplicates and our own id are errors; a voter left out is a warning', () => {
  oneError(yaml({ tls: `${TLS}  allow: [node-b, node-c, node-b]\n` }), 'tls.allow[2]', /duplicate node id "node-b" \(also at tls\.allow\[0\]\)/);
  oneError(yaml({ tls: `${TLS}  allow: [node-a, node-b, node-c]\n` }), 'tls.allow[0]', /"node-a" is this node's own id/);
  const text = yaml({ tls: `${TLS}  allow: [node-b]\n` });
  oneWarning(text, 'groups[0].peers[1]', /"node-c" is not in tls\.allow, so its connections will be refused/, lineOf(text, 'peers:'));
});

test('auth: modes and the active key', () => {
  const auth = (lines: string) => yaml({ auth: `auth:\n${lines}  keys:\n    - id: k1\n      secret_file: pki/k1.key\n    - id: k2\n      secret_file: pki/k2.key\n` });
  const receiveOnly = valid(auth('  mode: receive-only\n')).auth;
  assert.equal(receiveOnly?.mode, 'receive-only');
  assert.equal(receiveOnly?.activeKeyId, undefined);
  assert.deepEqual(receiveOnly?.keys.map((k) => [k.id, k.secret.toString()]), [['k1', 'vipd-fixture-key-1-not-a-secret!'], ['k2', 'vipd-fixture-key-2-not-a-secret!']]);
  assert.equal(valid(auth('  mode: permissive\n  active_key: k2\n')).auth?.activeKeyId, 'k2');
  const missing = auth('');
  oneError(missing, 'auth.active_key', /^required in mode enforce \(the key adverts are signed with: one of k1, k2\)$/, lineOf(missing, '  keys:'));
  const unknown = auth('  active_key: k3\n');
  oneError(unknown, 'auth.active_key', /^"k3" is not among the keys; must be one of k1, k2$/, lineOf(unknown, 'active_key:'));
  oneError(auth('  mode: strict\n  active_key: k1\n'), 'auth.mode', /must be one of receive-only, permissive, enforce; got "strict"/);
});

test('auth.keys: 1-8 keys, ids unique and of a-z, 0-9, "-"', () => {
  const keys = (list: string) => yaml({ auth: `auth:\n  active_key: k1\n  keys: ${list}\n` });
  const key = (id: string) => `{id: ${id}, secret_file: pki/k1.key}`;
  oneError(keys('[]'), 'auth.keys', /must be a list of 1-8 keys; got an empty list/);
  const nine = Array.from({ length: 9 }, (_, i) => key(`k${i + 1}`)).join(', ');
  oneError(keys(`[${nine}]`), 'auth.keys', /must be a list of 1-8 keys; got a list of 9/);
  oneError(keys(`[${key('k1')}, ${key('k1')}]`), 'auth.keys[1].id', /duplicate key id "k1" \(also at auth\.keys\[0\]\.id\)/);
  oneError(keys(`[${key('k1')}, ${key('Key_2')}]`), 'auth.keys[1].id', /must be 1-63 characters of a-z, 0-9 and "-"; got "Key_2"/);
});

test('auth secrets: exactly one source, base64 or hex, at least 16 bytes, never shown', () => {
  const key = (fields: string) => yaml({ auth: `auth:\n  active_key: k1\n  keys:\n    - id: k1\n${fields}` });
  const short = key('      secret: c2hvcnQtc2VjcmV0\n'); // "short-secret", 12 bytes
  const shortIssue = oneError(short, 'auth.keys[0].secret', /^the secret decodes to 12 bytes; at least 16 are needed/, lineOf(short, 'secret:'));
  assert.ok(!shortIssue.message.includes('c2hvcnQ'), 'the secret is not echoed');
  oneError(key(`      secret: "${'ab'.repeat(15)}"\n`), 'auth.keys[0].secret', /decodes to 15 bytes; at least 16/);
  assert.equal(valid(key(`      secret: "${'AB'.repeat(16)}"\n`)).auth?.keys[0]?.secret.length, 16);
  assert.equal(valid(key(`      secret: ${Buffer.alloc(16, 7).toString('base64')}\n`)).auth?.keys[0]?.secret.length, 16);
  const garbage = oneError(key('      secret: not-base64-at-all!\n'), 'auth.keys[0].secret', /is neither base64 .* nor hex/);
  assert.ok(!garbage.message.includes('not-base64'));
  const digits = oneError(key('      secret: 1234567890123456789012345678901234567890\n'), 'auth.keys[0].secret', /got a number \(YAML reads digits alone as a number: quote the secret\)$/);
  assert.ok(!/\d{5}/.test(digits.message), 'the secret is not echoed');

  const both = key('      secret_file: pki/k1.key\n      secret: c2hvcnQtc2VjcmV0c2hvcnQtc2VjcmV0\n');
  oneError(both, 'auth.keys[0].secret', /^give exactly one of secret_file and secret, not both$/, lineOf(both, 'secret:'));
  const neither = key('');
  oneError(neither, 'auth.keys[0]', /^key "k1" needs exactly one of secret_file and secret; got neither$/, lineOf(neither, '- id: k1'));
});

test('auth secret files: the error names the file and the reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-config-'));
  await writeFile(join(dir, 'short.key'), 'c2hvcnQtc2VjcmV0\n');
  await writeFile(join(dir, 'empty.key'), '\n');
  const key = (file: string) => yaml({ auth: `auth:\n  active_key: k1\n  keys:\n    - id: k1\n      secret_file: ${file}\n` });
  const missing = key('pki/k9.key');
  oneError(missing, 'auth.keys[0].secret_file', new RegExp(`^secret file "pki/k9\\.key" \\(${pki('k9.key')}\\): no such file$`), lineOf(missing, 'secret_file:'));
  oneError(key(join(dir, 'short.key')), 'auth.keys[0].secret_file', new RegExp(`^secret file ${join(dir, 'short.key')}: decodes to 12 bytes; at least 16 are needed`));
  oneError(key(join(dir, 'empty.key')), 'auth.keys[0].secret_file', /empty\.key: is empty$/);
  oneError(key(dir), 'auth.keys[0].secret_file', /: is a directory$/);
});

test('transport: auto is unicast with peers or seeds, else multicast; multicast needs quorum none', () => {
  const group = (extra: string) => yaml({ groups: `groups:\n${groupBlock(extra)}` });
  assert.equal(valid(group('    peers: [node-b, node-c]\n    transport: both\n')).groups[0]?.transport, 'both');
  const lan = valid(group(''));
  assert.equal(lan.groups[0]?.transport, 'multicast', 'auto without peers or seeds is VRRP on the LAN');
  assert.equal(lan.groups[0]?.quorum, 'none', 'and defaults to quorum none');
  const majority = group('    transport: multicast\n    quorum: majority\n');
  oneError(majority, 'groups[0].quorum', /^quorum majority needs unicast membership/);
  oneError(group('    transport: tcp\n'), 'groups[0].transport', /must be one of unicast, multicast, both, auto; got "tcp"/);
  const withSeeds = yaml({ top: 'seeds: [192.0.2.12:7946]\n', tls: `${TLS}  allow: [node-b]\n`, groups: `groups:\n${groupBlock('')}` });
  assert.equal(valid(withSeeds).groups[0]?.transport, 'unicast');
  assert.equal(valid(withSeeds).groups[0]?.quorum, 'majority');
});

test('vrrp_peers: any by default for transport both, vipd on request; refused elsewhere, with its path and why', () => {
  const group = (extra: string) => yaml({ groups: `groups:\n${groupBlock(extra)}` });
  assert.equal(valid(group('    peers: [node-b, node-c]\n    transport: both\n')).groups[0]?.vrrpPeers, 'any');
  assert.equal(valid(group('    peers: [node-b, node-c]\n    transport: both\n    vrrp_peers: vipd\n')).groups[0]?.vrrpPeers, 'vipd');
  assert.equal(valid(group('    peers: [node-b, node-c]\n')).groups[0]?.vrrpPeers, undefined, 'a unicast group has no VRRP peers to describe');
  oneError(group('    peers: [node-b, node-c]\n    vrrp_peers: vipd\n'), 'groups[0].vrrp_peers', /^only for transport both \(this group's transport is unicast\)/);
  oneError(group('    transport: multicast\n    vrrp_peers: vipd\n'), 'groups[0].vrrp_peers', /^only for transport both \(this group's transport is multicast\)/);
  oneError(group('    peers: [node-b, node-c]\n    transport: both\n    vrrp_peers: keepalived\n'), 'groups[0].vrrp_peers', /must be one of any, vipd; got "keepalived"/);
});

test('witnesses: not in peers, not this node, no duplicates', () => {
  const group = (extra: string) => yaml({ groups: `groups:\n${groupBlock(extra)}` });
  const overlap = group('    peers: [node-b, node-c]\n    witnesses: [node-c, w-1, w-2]\n');
  oneError(overlap, 'groups[0].witnesses[0]', /"node-c" is also in peers; a node either holds VIPs and votes \(peers\) or only votes \(witnesses\)/, lineOf(overlap, 'witnesses:'));
  oneError(group('    peers: [node-b]\n    witnesses: [node-a]\n'), 'groups[0].witnesses[0]', /"node-a" is this node's own id \(node\.id\)/);
  oneError(group('    peers: [node-b, node-c, node-d]\n    witnesses: [w-1, w-1]\n'), 'groups[0].witnesses[1]', /duplicate witness "w-1" \(also at groups\[0\]\.witnesses\[0\]\)/);
});

test('quorum majority: an odd number of voters', () => {
  const group = (extra: string) => yaml({ groups: `groups:\n${groupBlock(extra)}` });
  const two = group('    peers: [node-b]\n');
  oneError(two, 'groups[0].peers', /^2 voters and no witness: a partition leaves neither side a majority; add a witness or set quorum: none$/, lineOf(two, 'peers:'));
  oneError(group('    peers: [node-b, node-c, node-d]\n'), 'groups[0].peers', /^4 voters and no witness: a partition into two halves leaves neither side a majority/);
  const twoPlusWitness = valid(group('    peers: [node-b]\n    witnesses: [witness-1]\n')).groups[0];
  assert.deepEqual([twoPlusWitness?.peers, twoPlusWitness?.witnesses, twoPlusWitness?.quorum], [['node-b'], ['witness-1'], 'majority']);
  const four = group('    peers: [node-b, node-c]\n    witnesses: [witness-1]\n');
  const even = oneError(four, 'groups[0].witnesses', /^4 voters \(this node, 2 peers and 1 witness\): with an even number a partition into two halves leaves neither side a majority/, lineOf(four, 'witnesses:'));
  assert.match(even.message, /tolerates no more failures than 3 voters; add or remove a witness to make the count odd$/);
  valid(group('    peers: [node-b]\n    quorum: none\n'));
  oneError(group('    peers: [node-b, node-c]\n    quorum: all\n'), 'groups[0].quorum', /must be one of majority, none; got "all"/);
});

test('a node that is the only voter of a group warns: it will be master alone', () => {
  const group = (extra: string) => yaml({ tls: `${TLS}  allow: []\n`, groups: `groups:\n${groupBlock(extra)}` });
  const none = group('    transport: unicast\n    quorum: none\n');
  oneWarning(none, 'groups[0].quorum', /^group web has no peers and quorum none: this node will be master alone \(split brain if another node runs this VIP\)$/, lineOf(none, 'quorum:'));
  oneWarning(group('    transport: unicast\n'), 'groups[0].peers', /^group web has no peers or witnesses: this node is its only voter, so this node will be master alone/);
  assert.deepEqual(warnings(yaml({ groups: `groups:\n${groupBlock('    peers: [node-b]\n    quorum: none\n')}` })), []);
});

test('all errors at once, across the new sections', () => {
  const text = yaml({
    node: `${NODE}  listen: 0.0.0.0:7946\n`,
    top: 'seeds: [192.0.2.12:7946, 192.0.2.12:7946]\n',
    tls: 'tls:\n  ca: pki/nope.crt\n  cert: pki/node-a.crt\n  key: pki/node-a.key\n',
    auth: 'auth:\n  keys:\n    - id: k1\n      secret: c2hvcnQ=\n',
    groups: `groups:\n${groupBlock('    peers: [node-b]\n')}`,
  });
  assert.deepEqual(errors(text).map((e) => e.path), ['node.advertise', 'seeds[1]', 'tls.ca', 'auth.active_key', 'auth.keys[0].secret', 'groups[0].peers']);
});
