/**
 * Certificates that rotate without a restart (hitless reload, docs/api.md "Reload",
 * docs/security.md "Changing keys and certificates"): a reload reads the TLS files again, checks
 * them exactly as at start (src/security/identity.ts loadTlsFiles: PEM, key matches, issued by
 * the CA, valid, this node's identity), and when their contents changed hands them to the gRPC
 * credentials: new handshakes use them, established streams keep theirs.
 */
import { X509Certificate } from 'node:crypto';
import type { RotatableCredentials, TlsFilesContent } from '../adapters/grpc/credentials.js';
import type { VipdConfig } from '../config/types.js';
import { loadTlsFiles } from '../security/identity.js';

/** What a reload would do with the certificates: nothing, or rotate (with a line saying what). */
export type CertPlan = { readonly change: false } | { readonly change: true; readonly line: string; readonly warnings: readonly string[]; apply(): void };

function describe(files: TlsFilesContent): string {
  const leaf = new X509Certificate(files.cert);
  const cas = files.ca.toString('utf8').match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  return `serial ${leaf.serialNumber} until ${new Date(leaf.validTo).toISOString().slice(0, 10)}, ${cas} CA certificate(s)`;
}

const same = (a: TlsFilesContent, b: TlsFilesContent) => a.ca.equals(b.ca) && a.cert.equals(b.cert) && a.key.equals(b.key);

export class RotatingTls {
  private credentials: RotatableCredentials | undefined;
  private current: TlsFilesContent | undefined;

  /** The boot's credentials and the files they were made from (src/app/unicast.ts). */
  attach(credentials: RotatableCredentials, current: TlsFilesContent): void {
    this.credentials = credentials;
    this.current = current;
  }

  /**
   * Reads and checks the TLS files `next` names. Throws a SecurityError naming the file when one
   * is wrong (the reload is then refused and nothing changes).
   */
  async plan(next: VipdConfig): Promise<CertPlan> {
    const { credentials, current } = this;
    if (!credentials || !current || !next.tls || next.insecure) return { change: false };
    const m = await loadTlsFiles({ ca: next.tls.ca, cert: next.tls.cert, key: next.tls.key }, { expect: { clusterId: next.clusterId, nodeId: next.node.id } });
    const files = { ca: m.ca, cert: m.cert, key: m.key };
    if (same(files, current)) return { change: false };
    return {
      change: true,
      warnings: m.warnings,
      line: `certificates: ${describe(current)} -> ${describe(files)} (rotated in place: new connections use them)`,
      apply: () => {
        credentials.rotate(files);
        this.current = files;
      },
    };
  }
}
