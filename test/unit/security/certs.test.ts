/** Cluster CA and node certificates on disk: contents, file modes, refusals, error messages. */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { initCa, issueNodeCert, makeTestPki } from '../../../src/security/certs.js';
import { SecurityError } from '../../../src/security/errors.js';

const DAY_MS = 86_400_000;

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-certs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function mode(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

/** Asserts a SecurityError whose message names `file` and matches `reason`. */
function rejectsNaming(file: string, reason: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof SecurityError, `expected SecurityError, got ${String(err)}`);
    assert.ok(err.message.includes(file), `"${err.message}" does not name ${file}`);
    assert.match(err.message, reason);
    return true;
  };
}

describe('initCa + issueNodeCert', () => {
  it('creates a P-256 CA and a node certificate that verifies against it, with the spiffe SAN', async () => {
    await withTmp(async (dir) => {
      const now = new Date();
      const ca = await initCa({ dir, clusterId: 'c1' }, now);
      assert.equal(ca.certFile, join(dir, 'ca.crt'));
      assert.equal(ca.replaced, false);
      const node = await issueNodeCert({ dir, nodeId: 'node-a', sans: ['127.0.0.1', 'Node-A.example.net'] }, now);
      assert.equal(node.spiffeId, 'spiffe://c1/node/node-a');

      const caCert = new X509Certificate(await readFile(join(dir, 'ca.crt')));
      const nodeCert = new X509Certificate(await readFile(join(dir, 'node-a.crt')));
      const nodeKeyPem = await readFile(join(dir, 'node-a.key'), 'utf8');

      // Chain and key.
      assert.equal(caCert.ca, true);
      assert.equal(caCert.subject, 'CN=vipd CA c1');
      assert.equal(nodeCert.subject, 'CN=node-a');
      assert.ok(nodeCert.checkIssued(caCert));
      assert.ok(nodeCert.verify(caCert.publicKey));
      assert.ok(!caCert.verify(nodeCert.publicKey));
      assert.ok(nodeCert.checkPrivateKey(createPrivateKey(nodeKeyPem)));
      assert.match(nodeKeyPem, /^-----BEGIN PRIVATE KEY-----\n/, 'PKCS#8 PEM');
      assert.equal(createPrivateKey(nodeKeyPem).asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.equal(createPrivateKey(await readFile(join(dir, 'ca.key'))).asymmetricKeyDetails?.namedCurve, 'prime256v1');

      // Names and usages.
      assert.equal(nodeCert.subjectAltName, 'URI:spiffe://c1/node/node-a, DNS:node-a, IP Address:127.0.0.1, DNS:node-a.example.net');
      assert.deepEqual(nodeCert.keyUsage, ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'], 'serverAuth + clientAuth');
      assert.equal(nodeCert.ca, false);

      // Extensions node:crypto does not expose: pathlen 0, key usages, signature algorithm.
      const caParsed = new x509.X509Certificate(await readFile(join(dir, 'ca.crt'), 'utf8'));
      const bc = caParsed.getExtension(x509.BasicConstraintsExtension);
      assert.equal(bc?.ca, true);
      assert.equal(bc?.pathLength, 0);
      assert.equal(bc?.critical, true);
      assert.equal(caParsed.getExtension(x509.KeyUsagesExtension)?.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
      const nodeParsed = new x509.X509Certificate(await readFile(join(dir, 'node-a.crt'), 'utf8'));
      assert.deepEqual(nodeParsed.signatureAlgorithm, { name: 'ECDSA', hash: { name: 'SHA-256' } });

      // Validity: CA 10 years, node 1 year by default (both start 5 minutes early for clock skew).
      const caYears = (new Date(caCert.validTo).getTime() - now.getTime()) / (365.25 * DAY_MS);
      assert.ok(caYears > 9.99 && caYears < 10.01, `CA valid ${caYears} years`);
      const nodeDays = (new Date(nodeCert.validTo).getTime() - now.getTime()) / DAY_MS;
      assert.ok(Math.abs(nodeDays - 365) < 1, `node valid ${nodeDays} days`);
      assert.ok(new Date(nodeCert.validFrom).getTime() < now.getTime());
    });
  });

  it('writes keys 0600 and certificates 0644, even under a restrictive umask', async () => {
    const oldUmask = process.umask(0o077);
    try {
      await withTmp(async (dir) => {
        await initCa({ dir, clusterId: 'c1' });
        await issueNodeCert({ dir, nodeId: 'a' });
        assert.equal(await mode(join(dir, 'ca.key')), 0o600);
        assert.equal(await mode(join(dir, 'a.key')), 0o600);
        assert.equal(await mode(join(dir, 'ca.crt')), 0o644);
        assert.equal(await mode(join(dir, 'a.crt')), 0o644);
      });
    } finally {
      process.umask(oldUmask);
    }
  });

  it('creates a missing directory 0700', async () => {
    await withTmp(async (dir) => {
      const pki = join(dir, 'new', 'pki');
      await initCa({ dir: pki, clusterId: 'c1' });
      assert.equal(await mode(pki), 0o700);
    });
  });

  it('refuses to overwrite an existing CA unless forced', async () => {
    await withTmp(async (dir) => {
      await initCa({ dir, clusterId: 'c1' });
      const before = await readFile(join(dir, 'ca.key'), 'utf8');
      await assert.rejects(initCa({ dir, clusterId: 'c1' }), rejectsNaming(join(dir, 'ca.crt'), /already exists.*--force/));
      assert.equal(await readFile(join(dir, 'ca.key'), 'utf8'), before, 'CA key untouched');
      const forced = await initCa({ dir, clusterId: 'c1', force: true });
      assert.equal(forced.replaced, true);
      assert.notEqual(await readFile(join(dir, 'ca.key'), 'utf8'), before);
    });
  });

  it('a leftover CA key alone is also not overwritten', async () => {
    await withTmp(async (dir) => {
      await initCa({ dir, clusterId: 'c1' });
      await rm(join(dir, 'ca.crt'));
      await assert.rejects(initCa({ dir, clusterId: 'c1' }), rejectsNaming(join(dir, 'ca.key'), /already exists/));
    });
  });

  it('re-issuing a node certificate renews it (new key, replaced: true)', async () => {
    await withTmp(async (dir) => {
      await initCa({ dir, clusterId: 'c1' });
      const first = await issueNodeCert({ dir, nodeId: 'a' });
      const key1 = await readFile(first.keyFile, 'utf8');
      const second = await issueNodeCert({ dir, nodeId: 'a', days: 30 });
      assert.equal(first.replaced, false);
      assert.equal(second.replaced, true);
      assert.notEqual(await readFile(second.keyFile, 'utf8'), key1);
      const days = (new Date(new X509Certificate(await readFile(second.certFile)).validTo).getTime() - Date.now()) / DAY_MS;
      assert.ok(Math.abs(days - 30) < 1);
    });
  });

  it('rejects bad node ids, SANs and validity with the file and the reason', async () => {
    await withTmp(async (dir) => {
      await initCa({ dir, clusterId: 'c1' });
      for (const bad of ['Node-A', 'a_b', '', 'a'.repeat(64), 'a.b', '../etc/x']) {
        await assert.rejects(issueNodeCert({ dir, nodeId: bad }), rejectsNaming(join(dir, `${bad}.crt`), /node id .* is invalid: it must be 1-63 characters of a-z, 0-9 and "-"/), bad);
      }
      await assert.rejects(issueNodeCert({ dir, nodeId: 'ca' }), rejectsNaming(join(dir, 'ca.crt'), /reserved: its files would overwrite the CA/));
      await assert.rejects(issueNodeCert({ dir, nodeId: 'a', sans: ['not a name'] }), rejectsNaming(join(dir, 'a.crt'), /SAN "not a name" is neither an IP address nor a DNS name/));
      await assert.rejects(issueNodeCert({ dir, nodeId: 'a', days: 0 }), rejectsNaming(join(dir, 'a.crt'), /1-3650/));
      // Nine and a half years on, a 1-year certificate would outlive the 10-year CA.
      const later = new Date(Date.now() + 9.5 * 365 * DAY_MS);
      await assert.rejects(issueNodeCert({ dir, nodeId: 'a' }, later), rejectsNaming(join(dir, 'a.crt'), /365 days would outlive the CA in .*ca\.crt/));
      await assert.rejects(initCa({ dir: join(dir, 'x'), clusterId: 'Prod' }), /cluster id "Prod" is invalid/);
    });
  });

  it('names the missing or wrong CA file', async () => {
    await withTmp(async (dir) => {
      await assert.rejects(issueNodeCert({ dir, nodeId: 'a' }), rejectsNaming(join(dir, 'ca.crt'), /file not found; create the CA first: vipd certs init/));
      await initCa({ dir, clusterId: 'c1' });
      await issueNodeCert({ dir, nodeId: 'b' });
      // A CA key that belongs to another certificate.
      const other = await mkdtemp(join(tmpdir(), 'vipd-certs-other-'));
      try {
        await initCa({ dir: other, clusterId: 'c1' });
        await writeFile(join(dir, 'ca.key'), await readFile(join(other, 'ca.key')));
        await assert.rejects(issueNodeCert({ dir, nodeId: 'a' }), rejectsNaming(join(dir, 'ca.key'), /does not match the CA certificate/));
        // A node certificate where the CA should be.
        await copyFile(join(dir, 'b.crt'), join(other, 'ca.crt'));
        await assert.rejects(issueNodeCert({ dir: other, nodeId: 'a' }), rejectsNaming(join(other, 'ca.crt'), /not a CA certificate/));
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    });
  });
});

describe('makeTestPki', () => {
  it('issues every node in memory under one CA', async () => {
    const pki = await makeTestPki({ clusterId: 'demo', nodes: ['a', 'b', 'c'], sans: ['127.0.0.1'] });
    const ca = new X509Certificate(pki.ca.cert);
    assert.deepEqual([...pki.nodes.keys()], ['a', 'b', 'c']);
    for (const id of ['a', 'b', 'c']) {
      const cert = new X509Certificate(pki.node(id).cert);
      assert.ok(cert.verify(ca.publicKey));
      assert.ok(cert.checkPrivateKey(createPrivateKey(pki.node(id).key)));
      assert.equal(cert.subjectAltName, `URI:spiffe://demo/node/${id}, DNS:${id}, IP Address:127.0.0.1`);
    }
    assert.throws(() => pki.node('z'), /has no node z/);
    await assert.rejects(makeTestPki({ clusterId: 'demo', nodes: ['A'] }), /node id "A" is invalid/);
  });
});
