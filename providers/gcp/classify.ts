/**
 * Compute API failures → the provider error classes (src/ports/vip-provider.ts), with a hint
 * that names the permission or the setting to fix. Compute's errors are HTTP status codes with
 * a JSON body {error: {code, message, errors: [{reason, message}]}} (Compute API "Handling API
 * responses": https://cloud.google.com/compute/docs/api/handle-api-responses). Over the REST
 * transport the google-auth-library client throws them as GaxiosError (status + the body as the
 * message); a failed operation is DONE with httpErrorStatusCode and error.errors[] (operations.ts).
 */
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { Classified } from '../common/cloud-call.js';
import { MetadataError } from './metadata.js';
import { ROLE_FILE } from './permissions.js';

/** What one call touches, for the hints. */
export interface CallTarget {
  /** The permission the call needs, e.g. compute.instances.updateNetworkInterface. */
  readonly permission: string;
  /** The resource, e.g. "instance vipd-b in europe-west1-b of project vipd-test". */
  readonly resource: string;
  /** Who calls: the service account's email, when known. */
  readonly principal?: string;
}

/** The parts of a failure the classes depend on. */
export interface FailureFacts {
  readonly status?: number;
  readonly reason?: string;
  readonly code?: string;
  readonly message: string;
}

/** GCP signals quota and rate limits with these reasons, on 403 as well as 429. */
const THROTTLE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded', 'RESOURCE_EXHAUSTED']);
/** Socket-level failures and timeouts: the request may not have reached the API; retrying helps. */
const TRANSIENT_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN',
  'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'TimeoutError', 'AbortError', 'ERR_STREAM_PREMATURE_CLOSE',
]);
/** gRPC codes (google-gax GoogleError.code) that REST failures are mapped to when they reach us as GoogleError. */
const GRPC_TO_HTTP: Readonly<Record<number, number>> = { 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 412, 10: 409, 13: 500, 14: 503, 16: 401 };

/** Pulls status, reason and message out of whatever the client threw. */
export function failureFacts(err: unknown): FailureFacts {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { status?: unknown; code?: unknown; reason?: unknown; httpErrorStatusCode?: unknown; errors?: unknown };
  let status = typeof e.status === 'number' ? e.status : typeof e.httpErrorStatusCode === 'number' ? e.httpErrorStatusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : e.name === 'AbortError' || e.name === 'TimeoutError' ? e.name : undefined;
  if (status === undefined && typeof e.code === 'number') status = e.code >= 100 ? e.code : GRPC_TO_HTTP[e.code];
  let reason = typeof e.reason === 'string' ? e.reason : undefined;
  let message = e.message;
  const body = parseBody(e.message);
  if (body) {
    message = body.message ?? message;
    reason ??= body.reason;
  }
  if (Array.isArray(e.errors) && reason === undefined) {
    const first = e.errors[0] as { code?: unknown; reason?: unknown } | undefined;
    reason = typeof first?.reason === 'string' ? first.reason : typeof first?.code === 'string' ? first.code : undefined;
  }
  if (code === undefined && status === undefined && err.cause instanceof Error) {
    const inner = failureFacts(err.cause);
    if (inner.code !== undefined || inner.status !== undefined) return { ...inner, message: `${message}: ${inner.message}` };
  }
  return { ...(status !== undefined ? { status } : {}), ...(reason !== undefined ? { reason } : {}), ...(code !== undefined ? { code } : {}), message: oneLine(message) };
}

/** Any failure of a call: the metadata server's (token, identity) or the Compute API's. */
export function classifyError(err: unknown, target: CallTarget): Classified {
  const metadata = err instanceof MetadataError ? err : err instanceof Error && err.cause instanceof MetadataError ? err.cause : undefined;
  return metadata ? classifyMetadata(metadata) : classifyFailure(failureFacts(err), target);
}

/** The metadata server: no token for the service account, not a metadata server, or unreachable. */
export function classifyMetadata(err: MetadataError): Classified {
  const detail = err.message;
  if (err.notMetadataServer) return { errorClass: 'invalid', detail, hint: 'metadata_host (or GCE_METADATA_HOST) must name the GCE metadata server' };
  if (err.status === 403 || err.status === 404) {
    return { errorClass: 'auth', detail, hint: 'the metadata server has no token for the default service account: attach a service account to the instance with the cloud-platform scope' };
  }
  if (err.status === 429) return { errorClass: 'throttled', detail };
  if (err.status !== undefined && err.status < 500) return { errorClass: 'invalid', detail };
  return { errorClass: 'transient', detail, hint: 'outside GCE set metadata_host (or GCE_METADATA_HOST), or project, zone and instance' };
}

/** The classes, with a hint that says what to grant or fix. */
export function classifyFailure(facts: FailureFacts, target: CallTarget): Classified {
  const { status, reason } = facts;
  const detail = [status !== undefined ? `HTTP ${status}` : facts.code, reason, facts.message].filter(Boolean).join(' ');
  if (status === 429 || (reason !== undefined && THROTTLE_REASONS.has(reason))) return { errorClass: 'throttled', detail };
  if (status !== undefined && status >= 500) return { errorClass: 'transient', detail };
  // Another operation on the same instance is still running (HTTP 400 resourceNotReady): it ends soon.
  if (reason === 'resourceNotReady') return { errorClass: 'transient', detail };
  if (status === 401) {
    return { errorClass: 'auth', detail, hint: 'the access token was refused: check that the instance has a service account with the cloud-platform (or compute) scope' };
  }
  if (status === 403) {
    return { errorClass: 'auth', detail, hint: permissionHint(target.permission, target.resource, target.principal) };
  }
  if (status === 404) {
    return { errorClass: 'not-found', detail, hint: `${target.resource} does not exist: check the names in the config and project/zone (or what the metadata server reports)` };
  }
  if (status === 408) return { errorClass: 'transient', detail };
  if (status !== undefined) return { errorClass: 'invalid', detail };
  if (facts.code !== undefined && TRANSIENT_CODES.has(facts.code)) return { errorClass: 'transient', detail };
  // No status and no socket code: a bug or an answer we cannot read. Not retried in a loop.
  return { errorClass: 'invalid', detail };
}

/** "grant compute.instances.updateNetworkInterface (deploy/gcp/vipd-role.yaml) to SA on RESOURCE". */
export function permissionHint(permission: string, resource: string, principal?: string): string {
  return `grant ${permission} (${ROLE_FILE}) to ${principal ?? 'the instance\'s service account'} on ${resource}`;
}

/** Whether a failure is Compute's "the fingerprint you sent is stale" (HTTP 412 conditionNotMet). */
export function isStaleFingerprint(err: unknown): boolean {
  const facts = failureFacts(err instanceof ProviderError ? err.cause : err);
  return facts.status === 412 || facts.reason === 'conditionNotMet';
}

function parseBody(text: string): { message?: string; reason?: string } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown; errors?: { reason?: unknown }[]; status?: unknown } };
    const error = json.error;
    if (!error) return undefined;
    const reason = error.errors?.[0]?.reason ?? error.status;
    return {
      ...(typeof error.message === 'string' ? { message: error.message } : {}),
      ...(typeof reason === 'string' ? { reason } : {}),
    };
  } catch {
    return undefined;
  }
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
