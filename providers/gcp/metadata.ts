/**
 * The GCE metadata server (https://cloud.google.com/compute/docs/metadata/overview): this
 * instance's identity and its service account's access token. Every request carries
 * `Metadata-Flavor: Google` and every answer must carry it back (the check gcp-metadata makes,
 * so a captive proxy is never taken for the metadata server).
 *
 * The host comes from the provider's `metadata_host`, else GCE_METADATA_IP / GCE_METADATA_HOST
 * of the environment the agent was given (gcp-metadata's variables, same precedence), else
 * gcp-metadata's HOST_ADDRESS. vipd asks this host itself rather than through gcp-metadata,
 * which reads process.env on every call: a provider then talks to exactly the server its
 * configuration names (two in-process nodes in tests each have their own), and never probes
 * the second, DNS-named address gcp-metadata's isAvailable() races.
 */
import { BASE_PATH, HEADER_NAME, HEADER_VALUE, HOST_ADDRESS } from 'gcp-metadata';

export interface MetadataToken {
  readonly accessToken: string;
  /** Seconds the token stays valid from when it was issued. */
  readonly expiresInS: number;
}

export interface MetadataIdentity {
  readonly project: string;
  readonly zone: string;
  readonly instance: string;
  readonly instanceId: string;
  /** The service account's email, for hints ("grant … to vipd@….iam.gserviceaccount.com"). */
  readonly serviceAccount: string | undefined;
}

/** A failed metadata request: the HTTP status when there was one. */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown; notMetadataServer?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.notMetadataServer = options?.notMetadataServer ?? false;
  }

  /** The host answered, but without Metadata-Flavor: Google. */
  readonly notMetadataServer: boolean;
}

/** The metadata root URL for a host[:port] or URL, as gcp-metadata builds it. */
export function metadataBase(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  let host = option ?? env['GCE_METADATA_IP'] ?? env['GCE_METADATA_HOST'] ?? HOST_ADDRESS;
  if (!/^https?:\/\//.test(host)) host = `http://${host}`;
  return new URL(BASE_PATH, host).href;
}

export class MetadataClient {
  constructor(
    /** e.g. http://127.0.0.1:8090/computeMetadata/v1 */
    readonly base: string,
    private readonly timeoutMs: number,
  ) {}

  /** GET one path below the base; the body as text. */
  async get(path: string, signal?: AbortSignal): Promise<string> {
    const url = `${this.base}/${path}`;
    const signals = [AbortSignal.timeout(this.timeoutMs), ...(signal ? [signal] : [])];
    let res: Response;
    try {
      res = await fetch(url, { headers: { [HEADER_NAME]: HEADER_VALUE }, signal: AbortSignal.any(signals) });
    } catch (err) {
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${(err.cause as Error & { code?: string }).code ?? err.cause.message}` : '';
      throw new MetadataError(`metadata server ${this.base} unreachable for ${path}: ${err instanceof Error ? err.message : String(err)}${cause}`, undefined, { cause: err });
    }
    const body = await res.text();
    if (res.headers.get(HEADER_NAME) !== HEADER_VALUE) {
      throw new MetadataError(`${url} answered without "${HEADER_NAME}: ${HEADER_VALUE}": not a metadata server`, res.status, { notMetadataServer: true });
    }
    if (!res.ok) throw new MetadataError(`metadata ${path}: HTTP ${res.status} ${body.slice(0, 200)}`, res.status);
    return body;
  }

  /** instance/service-accounts/default/token (the same request google-auth-library's Compute client makes). */
  async token(signal?: AbortSignal): Promise<MetadataToken> {
    const text = await this.get('instance/service-accounts/default/token', signal);
    let json: { access_token?: unknown; expires_in?: unknown };
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      throw new MetadataError('metadata token: the answer is not JSON');
    }
    if (typeof json.access_token !== 'string' || typeof json.expires_in !== 'number') {
      throw new MetadataError('metadata token: no access_token/expires_in in the answer');
    }
    return { accessToken: json.access_token, expiresInS: json.expires_in };
  }

  /** project/project-id, instance/zone, instance/name, instance/id and the service account, in parallel. */
  async identity(signal?: AbortSignal): Promise<MetadataIdentity> {
    const [project, zonePath, instance, instanceId, serviceAccount] = await Promise.all([
      this.get('project/project-id', signal),
      this.get('instance/zone', signal),
      this.get('instance/name', signal),
      this.get('instance/id', signal),
      this.get('instance/service-accounts/default/email', signal).catch(() => undefined),
    ]);
    // instance/zone is "projects/<number>/zones/<zone>".
    const zone = zonePath.slice(zonePath.lastIndexOf('/') + 1);
    return { project: project.trim(), zone, instance: instance.trim(), instanceId: instanceId.trim(), serviceAccount: serviceAccount?.trim() };
  }
}
