/**
 * Transport credentials: mutual TLS with identity from the certificate's spiffe SAN, checked
 * against an allow-list (never by source IP), or plaintext for the demo (`insecure: true`).
 *
 * The server asks every client for a certificate but does not refuse the handshake when it is
 * missing or untrusted: a refused handshake is invisible to the application, and an impostor
 * must be logged with a reason and counted (issue 3 acceptance). The stream is refused instead,
 * in authenticate(). grpc-js exposes the peer certificate only when OpenSSL verified it against
 * our CA; we check again (issuer, signature, validity) so the rule does not rest on that detail,
 * then the cluster, the node identity and the allow-list.
 */
import * as grpc from '@grpc/grpc-js';
import { X509Certificate } from 'node:crypto';
import { authorize, peerIdentity } from '../../security/identity.js';
import type { TransportCredentials } from './grpc-transport.js';
import type { AuthContext, Authenticated } from './peer-server.js';

export interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** Node ids allowed to talk to us and to be dialed. */
  readonly allow: readonly string[];
}

/** Plaintext, unauthenticated: identity is whatever the Hello says. Demo only. */
export function insecureCredentials(): TransportCredentials {
  return {
    server: grpc.ServerCredentials.createInsecure(),
    client: () => grpc.credentials.createInsecure(),
    authenticate: () => ({ ok: true }),
  };
}

/** The node's TLS files' contents (TlsMaterial without the allow-list). */
export interface TlsFilesContent {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A certificate provider (grpc-js experimental API) that a reload can update: new handshakes
 * use the new CA and identity; established streams keep theirs. It serves both the CA and the
 * identity, and is passed in both places: grpc-js 1.14's createCertificateProviderServerCredentials
 * hands its two providers to the constructor in swapped order. It answers on the next tick:
 * grpc-js registers its watcher only after adding our listeners, so a synchronous answer would
 * be lost and every handshake refused.
 */
function rotatingProvider(current: () => TlsFilesContent): grpc.experimental.CertificateProvider & { changed(): void } {
  const ca = new Set<grpc.experimental.CaCertificateUpdateListener>();
  const identity = new Set<grpc.experimental.IdentityCertificateUpdateListener>();
  const caUpdate = () => ({ caCertificate: current().ca });
  const idUpdate = () => ({ certificate: current().cert, privateKey: current().key });
  return {
    addCaCertificateListener: (l) => {
      ca.add(l);
      setImmediate(() => l(caUpdate()));
    },
    removeCaCertificateListener: (l) => void ca.delete(l),
    addIdentityCertificateListener: (l) => {
      identity.add(l);
      setImmediate(() => l(idUpdate()));
    },
    removeIdentityCertificateListener: (l) => void identity.delete(l),
    changed: () => {
      for (const l of ca) l(caUpdate());
      for (const l of identity) l(idUpdate());
    },
  };
}

/** Verifies a peer certificate (DER) against the cluster CA, identity and allow-list. */
export function certificateVerifier(clusterId: string, tls: TlsMaterial, now: () => number = Date.now): (raw: Buffer | undefined) => Authenticated {
  // A CA file may hold several CAs (a bundle during CA rotation): any of them may have issued.
  const cas = (tls.ca.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [tls.ca]).map((pem) => new X509Certificate(pem));
  return (raw) => {
    // grpc-js shows us the certificate only when the handshake verified it against our CA.
    if (!raw || raw.length === 0) return { ok: false, reason: 'peer presented no certificate issued by the cluster CA (none, another CA\'s, or expired)' };
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(raw);
    } catch (err) {
      return { ok: false, reason: `peer certificate does not parse: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (!cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) {
      return { ok: false, reason: `certificate of "${cert.subject.replace(/\n/g, ', ')}" was not issued by the cluster CA (issuer "${cert.issuer.replace(/\n/g, ', ')}")` };
    }
    const t = now();
    if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) {
      return { ok: false, reason: `certificate is outside its validity period ${cert.validFrom} - ${cert.validTo}` };
    }
    const allowed = authorize(peerIdentity(cert, clusterId), tls.allow);
    return allowed.ok ? { ok: true, nodeId: allowed.nodeId } : allowed;
  };
}

/** Mutual TLS whose files a reload can replace (src/app/cert-rotation.ts). */
export interface RotatableCredentials extends TransportCredentials {
  /** From now on, new handshakes use `files`, and peers are verified against its CA. */
  rotate(files: TlsFilesContent): void;
}

export function mutualTlsCredentials(clusterId: string, tls: TlsMaterial): RotatableCredentials {
  let files: TlsFilesContent = { ca: tls.ca, cert: tls.cert, key: tls.key };
  let verifier = certificateVerifier(clusterId, tls);
  const verify = (raw: Buffer | undefined) => verifier(raw);
  const provider = rotatingProvider(() => files);
  return {
    // Request a client certificate, but judge it in authenticate() (see above).
    server: grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false),
    client: () =>
      grpc.credentials.createSsl(files.ca, files.key, files.cert, {
        // The handshake verifies the server's chain against our CA; identity replaces host-name
        // checking: peers are dialed by address but authorised by who their certificate says.
        // Whether that is the node we dialled is decided at its Hello (hello-check.ts), which
        // this callback does not see.
        checkServerIdentity: (_host, cert) => {
          const id = verify(cert.raw);
          return id.ok ? undefined : new Error(id.reason);
        },
      }),
    // Both sides: grpc-js gives the peer certificate of a server stream and of a client call.
    authenticate: (auth: AuthContext | null) => verify(auth?.sslPeerCertificate?.raw),
    rotate: (next) => {
      files = next;
      verifier = certificateVerifier(clusterId, { ...tls, ...next });
      provider.changed();
    },
  };
}
