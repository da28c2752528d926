/**
 * What an AWS SDK failure means for vipd (ErrorClass, src/ports/vip-provider.ts), worded for
 * the operator: the permission to grant, the id and region to check, the credential setting to
 * fix. Error codes: Amazon EC2 API Reference, "Error codes for the Amazon EC2 API"; the SDK's
 * own failures (timeouts, resets, credential providers) carry a `name` or a Node `code`.
 */
import type { Classified } from '../common/cloud-call.js';
import { grantHint, type ArnScope, type Ec2Action } from './actions.js';

/** What the call was doing, for the hints. */
export interface CallFacts {
  readonly action: Ec2Action | 'IMDS';
  /** The EC2 ids the request names (first = the one a permission is mainly about). */
  readonly resources: readonly string[];
  readonly scope: ArnScope;
  /** Where the credentials came from and their key id, when resolved (never the secret). */
  readonly credentials?: string;
}

const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'RequestThrottledException', 'TooManyRequestsException', 'SlowDown']);
const TRANSIENT = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);
const BAD_CREDENTIALS = new Set(['AuthFailure', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'InvalidAccessKeyId', 'MissingAuthenticationToken', 'IncompleteSignature']);
const EXPIRED = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired']);

interface SdkError {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/** The AWS error code (`name` of a ServiceException), or a Node/SDK error name or code. */
export function errorCode(err: unknown): string {
  const e = (err ?? {}) as SdkError;
  if (typeof e.name === 'string' && e.name !== 'Error' && e.name !== 'ProviderError') return e.name;
  if (typeof e.code === 'string') return e.code;
  return typeof e.name === 'string' ? e.name : 'Error';
}

function messageOf(err: unknown): string {
  const m = (err as SdkError | undefined)?.message;
  return typeof m === 'string' ? m : String(err);
}

export function classifyAws(err: unknown, facts: CallFacts): Classified {
  const code = errorCode(err);
  const message = messageOf(err);
  const status = (err as SdkError | undefined)?.$metadata?.httpStatusCode;
  const detail = `${code}: ${message}`;
  const id = facts.resources[0] ?? 'the resource';
  const region = facts.scope.region;
  const creds = facts.credentials ? ` (credentials: ${facts.credentials})` : '';

  if (THROTTLED.has(code) || status === 429) return { errorClass: 'throttled', detail };
  if (code === 'UnauthorizedOperation' || code === 'AccessDenied' || code === 'AccessDeniedException') {
    return { errorClass: 'auth', detail: `${detail}${creds}`, hint: facts.action === 'IMDS' ? 'allow this process to reach the instance metadata service' : grantHint(facts.action, facts.resources, facts.scope) };
  }
  // Signed for one region, sent to another region's endpoint: the region setting is wrong, not the key.
  if (code === 'AuthFailure' && /scoped to a valid region/i.test(message)) {
    return { errorClass: 'not-found', detail, hint: `the endpoint does not serve region ${region}: set region / AWS_REGION to the instance's region (or fix endpoint)` };
  }
  if (BAD_CREDENTIALS.has(code)) {
    return { errorClass: 'auth', detail, hint: `EC2 refused the credentials${creds}: fix AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), AWS_PROFILE, or the instance role` };
  }
  if (EXPIRED.has(code)) {
    return { errorClass: 'auth', detail: `${detail}${creds}`, hint: code === 'RequestExpired' ? 'the request\'s signing time is off: synchronise this host\'s clock (chrony, systemd-timesyncd)' : `the session credentials expired${creds}: refresh AWS_SESSION_TOKEN or use the instance role (refreshed automatically)` };
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return { errorClass: 'auth', detail, hint: 'no AWS credentials found: attach an IAM role to the instance (IMDS), or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE' };
  }
  if (code === 'OptInRequired' || code === 'Blocked' || code === 'PendingVerification') {
    return { errorClass: 'auth', detail, hint: `the account cannot use EC2 in ${region} (${code}): enable the region or the account, or set region / AWS_REGION` };
  }
  if (code.endsWith('.NotFound') || code === 'InvalidAllocationID.NotFound') {
    return { errorClass: 'not-found', detail, hint: `${id} does not exist in region ${region}: check the id in the configuration, and the region (set region / AWS_REGION)` };
  }
  if (code.endsWith('.Malformed')) return { errorClass: 'invalid', detail, hint: `${id} is not a well-formed EC2 id: fix the configuration` };
  if (TRANSIENT.has(code) || NETWORK.has(code) || code === 'AbortError' || (typeof status === 'number' && status >= 500) || (err as SdkError | undefined)?.$fault === 'server') {
    return { errorClass: 'transient', detail };
  }
  if (code.startsWith('Invalid') || code === 'MissingParameter' || code === 'UnknownParameter' || code === 'InvalidAction' || code.startsWith('Resource.')) {
    return { errorClass: 'invalid', detail };
  }
  if (typeof status === 'number' && status >= 400) return { errorClass: 'invalid', detail };
  // No HTTP status and no known name: a socket or parser failure inside the SDK.
  return { errorClass: 'transient', detail };
}
