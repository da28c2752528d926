/**
 * Peer identity over real mutual TLS on 127.0.0.1, the allow-list, and the start-up check of
 * a node's TLS files.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { X509Certificate, webcrypto } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tls from 'node:tls';
import { makeTestPki, type PemPair, type TestPki } from '../../../src/security/certs.js';
import { SecurityError } from '../../../src/security/errors.js';
import { authorize, checkExpiry, loadTlsFiles, parseSubjectAltName, peerIdentity } from '../../../src/security/identity.js';

const DAY_MS = 86_400_000;
const HANDSHAKE_MS = 5_000;

/** A self-signed certificate with arbitrary SANs, for shapes `vipd certs` never makes. */
async function selfSigned(names: { type: 'url' | 'dns'; value: string }[]): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=odd', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return cert.toString('pem');
}

describe('mutual TLS handshake on 127.0.0.1', () => {
  let cluster: TestPki;
  let impostor: TestPki;
  let server: tls.Server;
  let port: number;
  const clientErrors: Error[] = [];
  let secureConnections = 0;

  before(async () => {
    cluster = await makeTestPki({ clusterId: 'c1', nodes: ['srv', 'a', 'z'], sans: ['127.0.0.1'] });
    // Same cluster id and node name, different CA: only the CA tells them apart.
    impostor = await makeTestPki({ clusterId: 'c1', nodes: ['a'], sans: ['127.0.0.1'] });
    const srv = cluster.node('srv');
    server = tls.createServer({ ca: cluster.ca.cert, cert: srv.cert, key: srv.key, requestCert: true, rejectUnauthorized: true }, (socket) => {
      secureConnections += 1;
      const peer = socket.getPeerX509Certificate();
      const verdict = peer ? authorize(peerIdentity(peer, 'c1'), ['srv', 'a']) : { ok: false, reason: 'no certificate' };
      socket.end(JSON.stringify(verdict));
    });
    server.on('tlsClientError', (err) => clientErrors.push(err));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Connects, reads until close; resolves with what arrived and any error. Bounded. */
  function dial(trust: string, pair?: PemPair): Promise<{ data: string; error?: Error; serverCert?: X509Certificate }> {
    return new Promise((resolve, reject) => {
      let data = '';
      let error: Error | undefined;
      let serverCert: X509Certificate | undefined;
      const socket = tls.connect({ host: '127.0.0.1', port, ca: trust, ...(pair ?? {}) });
      const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no close within ${HANDSHAKE_MS} ms; got ${JSON.stringify(data)}`)); }, HANDSHAKE_MS);
      socket.on('secureConnect', () => (serverCert = socket.getPeerX509Certificate()));
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('error', (err) => (error = err));
      socket.on('close', () => { clearTimeout(timer); resolve({ data, error, serverCert }); });
    });
  }

  it('a client with a certificate from the cluster CA connects and is known by its node id', async () => {
    const r = await dial(cluster.ca.cert, cluster.node('a'));
    assert.equal(r.error, undefined);
    assert.deepEqual(JSON.parse(r.data), { ok: true, nodeId: 'a' });
    // The client identifies the server the same way (both sides are nodes).
    assert.ok(r.serverCert);
    assert.deepEqual(peerIdentity(r.serverCert, 'c1'), { ok: true, nodeId: 'srv', clusterId: 'c1', spiffeId: 'spiffe://c1/node/srv' });
  });

  it('a client whose certificate is from another CA is refused by the handshake, whatever its name', async () => {
    const before = { errors: clientErrors.length, connections: secureConnections };
    const r = await dial(cluster.ca.cert, impostor.node('a'));
    assert.equal(r.data, '', 'nothing was served');
    assert.equal(secureConnections, before.connections, 'the server never accepted the connection');
    // OpenSSL aborts the handshake; node reports it as a client error (its text varies by version).
    assert.equal(clientErrors.length, before.errors + 1);
  });

  it('a client without a certificate is refused', async () => {
    const before = secureConnections;
    const r = await dial(cluster.ca.cert);
    assert.equal(r.data, '');
    assert.equal(secureConnections, before);
  });

  it('a client that does not trust the server CA refuses the server', async () => {
    const r = await dial(impostor.ca.cert, impostor.node('a'));
    assert.equal(r.data, '');
    assert.match(String(r.error?.message), /self[- ]signed|unable to verify|certificate/i);
  });

  it('a valid cluster member outside the allow-list gets a reason', async () => {
    const r = await dial(cluster.ca.cert, cluster.node('z'));
    assert.deepEqual(JSON.parse(r.data), { ok: false, reason: 'node z is not in the allow-list [srv, a]' });
  });
});

describe('peerIdentity', () => {
  let pki: TestPki;
  before(async () => {
    pki = await makeTestPki({ clusterId: 'c1', nodes: ['a'] });
  });

  it('accepts PEM text, DER bytes and X509Certificate alike', () => {
    const pem = pki.node('a').cert;
    const x = new X509Certificate(pem);
    const expected = { ok: true, nodeId: 'a', clusterId: 'c1', spiffeId: 'spiffe://c1/node/a' };
    assert.deepEqual(peerIdentity(pem, 'c1'), expected);
    assert.deepEqual(peerIdentity(x.raw, 'c1'), expected);
    assert.deepEqual(peerIdentity(x, 'c1'), expected);
  });

  it('rejects another cluster, naming both', () => {
    assert.deepEqual(peerIdentity(pki.node('a').cert, 'c2'), { ok: false, reason: 'peer certificate is for cluster c1, not c2 (spiffe://c1/node/a)' });
  });

  it('rejects certificates that do not name exactly one vipd node, with reasons', async () => {
    const cases: [string, RegExp][] = [
      [pki.ca.cert, /has no subjectAltName; expected URI:spiffe:\/\/c1\/node\/<node-id>/],
      [await selfSigned([{ type: 'dns', value: 'a' }]), /has no spiffe URI SAN \(it has DNS:a\)/],
      [await selfSigned([{ type: 'url', value: 'spiffe://c1/workload/a' }]), /spiffe:\/\/c1\/workload\/a is not a vipd node identity/],
      [await selfSigned([{ type: 'url', value: 'spiffe://c1/node/a' }, { type: 'url', value: 'spiffe://c1/node/b' }]), /has 2 spiffe URI SANs .* exactly one/],
      [await selfSigned([{ type: 'url', value: 'spiffe://c1/node/a, URI:spiffe://c1/node/b' }]), /not a vipd node identity/],
    ];
    for (const [cert, reason] of cases) {
      const r = peerIdentity(cert, 'c1');
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, reason);
    }
    assert.deepEqual(peerIdentity(Buffer.from('garbage'), 'c1'), { ok: false, reason: 'peer certificate is not a parsable X.509 certificate' });
  });

  it('parses node:crypto subjectAltName text, including JSON-quoted values', () => {
    assert.deepEqual(parseSubjectAltName('URI:spiffe://c/node/x, DNS:x, IP Address:127.0.0.1'), [
      { type: 'URI', value: 'spiffe://c/node/x' }, { type: 'DNS', value: 'x' }, { type: 'IP Address', value: '127.0.0.1' },
    ]);
    assert.deepEqual(parseSubjectAltName('URI:"spiffe://c/node/a, URI:spiffe://c/node/b", DNS:y'), [
      { type: 'URI', value: 'spiffe://c/node/a, URI:spiffe://c/node/b' }, { type: 'DNS', value: 'y' },
    ]);
    assert.equal(parseSubjectAltName('URI:"unterminated'), undefined);
    assert.equal(parseSubjectAltName('no colon'), undefined);
  });
});

describe('authorize', () => {
  it('admits listed nodes and explains the rest', () => {
    const id = { ok: true, nodeId: 'x', clusterId: 'c', spiffeId: 'spiffe://c/node/x' } as const;
    assert.deepEqual(authorize(id, ['x', 'y']), { ok: true, nodeId: 'x' });
    assert.deepEqual(authorize(id, ['a', 'b']), { ok: false, reason: 'node x is not in the allow-list [a, b]' });
    assert.deepEqual(authorize(id, []), { ok: false, reason: 'node x is not in the allow-list []' }, 'fails closed');
    assert.deepEqual(authorize({ ok: false, reason: 'peer certificate is for cluster c1, not c2' }, ['x']), { ok: false, reason: 'peer certificate is for cluster c1, not c2' });
  });
});

describe('loadTlsFiles', () => {
  let dir: string;
  let pki: TestPki;
  let other: TestPki;
  let files: { ca: string; cert: string; key: string };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vipd-tls-'));
    pki = await makeTestPki({ clusterId: 'c1', nodes: ['a', 'b'] });
    other = await makeTestPki({ clusterId: 'c1', nodes: ['a'] });
    const write = async (name: string, text: string, mode = 0o644) => {
      await writeFile(join(dir, name), text);
      await chmod(join(dir, name), mode);
    };
    await write('ca.crt', pki.ca.cert);
    await write('a.crt', pki.node('a').cert);
    await write('a.key', pki.node('a').key, 0o600);
    await write('b.key', pki.node('b').key, 0o600);
    await write('other-a.crt', other.node('a').cert);
    await write('other-a.key', other.node('a').key, 0o600);
    await write('garbage.crt', 'hello\n');
    files = { ca: join(dir, 'ca.crt'), cert: join(dir, 'a.crt'), key: join(dir, 'a.key') };
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function fails(file: string, reason: RegExp) {
    return (err: unknown) => {
      assert.ok(err instanceof SecurityError, String(err));
      assert.ok(err.message.startsWith(`loading TLS file ${file}: `), err.message);
      assert.match(err.message, reason);
      return true;
    };
  }

  it('loads a matching set, checking the identity when asked', async () => {
    const m = await loadTlsFiles(files, { expect: { clusterId: 'c1', nodeId: 'a' } });
    assert.equal(m.ca.toString(), pki.ca.cert);
    assert.equal(m.cert.toString(), pki.node('a').cert);
    assert.equal(m.key.toString(), pki.node('a').key);
    assert.deepEqual(m.warnings, []);
  });

  it('names the file and the reason for each way a set can be wrong', async () => {
    const p = (name: string) => join(dir, name);
    await assert.rejects(loadTlsFiles({ ...files, ca: p('missing.crt') }), fails(p('missing.crt'), /file not found/));
    await assert.rejects(loadTlsFiles({ ...files, cert: p('garbage.crt') }), fails(p('garbage.crt'), /not PEM/));
    await assert.rejects(loadTlsFiles({ ...files, key: p('a.crt') }), fails(p('a.crt'), /not PEM: no "-----BEGIN PRIVATE KEY-----"/));
    await assert.rejects(loadTlsFiles({ ...files, key: p('b.key') }), fails(p('b.key'), /private key does not match the certificate in .*a\.crt/));
    await assert.rejects(loadTlsFiles({ ...files, cert: p('other-a.crt'), key: p('other-a.key') }), fails(p('other-a.crt'), /not signed by the CA in .*ca\.crt/));
    await assert.rejects(loadTlsFiles({ ...files, ca: p('a.crt') }), fails(p('a.crt'), /not a CA certificate/));
    await assert.rejects(loadTlsFiles(files, { expect: { clusterId: 'c2' } }), fails(files.cert, /certificate is for cluster c1, not c2/));
    await assert.rejects(loadTlsFiles(files, { expect: { clusterId: 'c1', nodeId: 'b' } }), fails(files.cert, /certificate is for node a, but this node is b/));
    await assert.rejects(loadTlsFiles(files, { now: Date.now() + 400 * DAY_MS }), fails(files.cert, /expired on/));
    await assert.rejects(loadTlsFiles(files, { now: Date.now() - DAY_MS }), fails(files.ca, /not valid until .* clock/));
  });

  it('warns when the certificate expires within 30 days', async () => {
    const m = await loadTlsFiles(files, { now: Date.now() + 350 * DAY_MS });
    assert.equal(m.warnings.length, 1);
    assert.match(m.warnings[0] ?? '', new RegExp(`^${files.cert.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: certificate CN=a expires on .* \\(in 1[45] days\\); renew it with \`vipd certs issue\``));
    const short = await makeTestPki({ clusterId: 'c1', nodes: ['a'], days: 10 });
    const x = new X509Certificate(short.node('a').cert);
    assert.equal(checkExpiry(x, Date.now()).status, 'expiring');
    assert.equal(checkExpiry(x, Date.now(), 5).status, 'ok');
    assert.equal(checkExpiry(x, Date.now() + 11 * DAY_MS).status, 'expired');
  });
});
