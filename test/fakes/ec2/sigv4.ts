/**
 * Verifies AWS Signature Version 4 on an incoming request, as EC2 does (AWS General Reference,
 * "Signature Version 4 signing process": canonical request, string to sign, signing key derived
 * from the secret, date, region, service and "aws4_request"). Written from the specification
 * with node:crypto; only the Authorization-header form is accepted (SDKs and the CLI use it for
 * POST). A refusal names what was wrong, so a provider bug or a bad test credential shows.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Ec2ApiError } from './xml.js';

export interface SigningCredential {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Temporary (IMDS role) credentials also carry a token the request must present. */
  readonly sessionToken?: string;
}

export interface SignedRequest {
  readonly method: string;
  /** The raw request target (path and query) as received. */
  readonly url: string;
  /** node's `req.rawHeaders`: name, value, name, value, … */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface VerifyOptions {
  readonly region: string;
  readonly service: string;
  readonly lookup: (accessKeyId: string) => SigningCredential | undefined;
  /** Wall-clock now, in ms since the epoch. */
  readonly now: number;
  /** AWS accepts a signature dated within 5 minutes of its clock. */
  readonly maxSkewMs?: number;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay; everything else is %XX with upper-case hex (SigV4 rule). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Lower-case header name -> values in arrival order. */
function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = m.get(name) ?? [];
    list.push(rawHeaders[i + 1]!);
    m.set(name, list);
  }
  return m;
}

/** Canonical URI: every path segment URI-encoded again (services other than S3 double-encode). */
function canonicalUri(path: string): string {
  if (path === '' || path === '/') return '/';
  return path.split('/').map(uriEncode).join('/');
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const k = decodeURIComponent((eq < 0 ? p : p.slice(0, eq)).replace(/\+/g, ' '));
    const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1).replace(/\+/g, ' '));
    return [uriEncode(k), uriEncode(v)] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/** `20261202T011500Z` -> ms since the epoch, or NaN. */
function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(value: string): ParsedAuthorization {
  if (!value.startsWith(`${ALGORITHM} `)) {
    throw new Ec2ApiError('IncompleteSignature', `Unsupported Authorization algorithm (expected ${ALGORITHM}): ${value.split(' ')[0]}`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  const missing = [['Credential', credential], ['SignedHeaders', signedHeaders], ['Signature', signature]]
    .filter(([, v]) => !v).map(([k]) => k);
  if (missing.length > 0) {
    throw new Ec2ApiError('IncompleteSignature', `Authorization header requires ${missing.join(', ')} (${ALGORITHM} Credential=…, SignedHeaders=…, Signature=…)`);
  }
  const scope = credential!.split('/');
  if (scope.length !== 5) {
    throw new Ec2ApiError('IncompleteSignature', `Credential must have the form AKID/YYYYMMDD/region/service/aws4_request, got '${credential}'`);
  }
  const [accessKeyId, date, region, service, terminator] = scope as [string, string, string, string, string];
  return { accessKeyId, date, region, service, terminator, signedHeaders: signedHeaders!.split(';'), signature: signature! };
}

/**
 * Checks the request's signature. Returns the access key id that signed it; throws an
 * Ec2ApiError (AuthFailure 401, SignatureDoesNotMatch 403, RequestExpired 400,
 * IncompleteSignature 400, MissingAuthenticationToken 401) naming the problem.
 */
export function verifySigV4(req: SignedRequest, opts: VerifyOptions): string {
  const headers = headerMap(req.rawHeaders);
  const authorization = headers.get('authorization');
  if (!authorization) {
    throw new Ec2ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token (no Authorization header: sign the request with SigV4)', 401);
  }
  if (authorization.length > 1) throw new Ec2ApiError('IncompleteSignature', 'More than one Authorization header');
  const auth = parseAuthorization(authorization[0]!);

  const credential = opts.lookup(auth.accessKeyId);
  if (!credential) throw new Ec2ApiError('AuthFailure', 'AWS was not able to validate the provided access credentials', 401);
  if (auth.region !== opts.region) {
    throw new Ec2ApiError('AuthFailure', `Credential should be scoped to a valid region, not '${auth.region}' (this endpoint serves '${opts.region}')`, 401);
  }
  if (auth.service !== opts.service) {
    throw new Ec2ApiError('AuthFailure', `Credential should be scoped to correct service: '${opts.service}', not '${auth.service}'`, 401);
  }
  if (auth.terminator !== 'aws4_request') {
    throw new Ec2ApiError('IncompleteSignature', `Credential scope must end in aws4_request, not '${auth.terminator}'`);
  }

  const amzDate = headers.get('x-amz-date')?.[0];
  if (!amzDate) throw new Ec2ApiError('IncompleteSignature', 'Request must contain an X-Amz-Date header');
  const signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) throw new Ec2ApiError('IncompleteSignature', `X-Amz-Date '${amzDate}' is not in the form YYYYMMDDTHHMMSSZ`);
  if (!amzDate.startsWith(auth.date)) {
    throw new Ec2ApiError('SignatureDoesNotMatch', `Credential scope date ${auth.date} does not match X-Amz-Date ${amzDate}`, 403);
  }
  const maxSkew = opts.maxSkewMs ?? 5 * 60_000;
  if (Math.abs(opts.now - signedAt) > maxSkew) {
    throw new Ec2ApiError('RequestExpired', `Request has expired: X-Amz-Date ${amzDate} is more than ${maxSkew / 60_000} minutes from the server's time ${new Date(opts.now).toISOString()}`);
  }

  const signed = auth.signedHeaders;
  const sorted = [...signed].sort();
  if (signed.some((h, i) => h !== sorted[i] || h !== h.toLowerCase())) {
    throw new Ec2ApiError('IncompleteSignature', `SignedHeaders must be lower-case and sorted: ${signed.join(';')}`);
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!signed.includes(required)) throw new Ec2ApiError('IncompleteSignature', `SignedHeaders must include ${required}`);
  }

  const token = headers.get('x-amz-security-token')?.[0];
  if (credential.sessionToken !== undefined && token !== credential.sessionToken) {
    throw new Ec2ApiError('AuthFailure', `The security token included in the request is ${token === undefined ? 'missing' : 'invalid'} (temporary credentials ${auth.accessKeyId} need their session token)`, 401);
  }
  if (credential.sessionToken === undefined && token !== undefined) {
    throw new Ec2ApiError('AuthFailure', 'The security token included in the request is invalid (long-term credentials take no token)', 401);
  }

  const payloadHash = sha256Hex(req.body);
  const declared = headers.get('x-amz-content-sha256')?.[0];
  if (declared !== undefined && declared !== payloadHash) {
    throw new Ec2ApiError('SignatureDoesNotMatch', `x-amz-content-sha256 ${declared} is not the SHA-256 of the request body`, 403);
  }

  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const canonicalHeaders = signed.map((name) => {
    const values = headers.get(name);
    if (!values) throw new Ec2ApiError('IncompleteSignature', `Signed header '${name}' is not in the request`);
    return `${name}:${values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',')}\n`;
  }).join('');
  const canonicalRequest = [req.method, canonicalUri(path), canonicalQuery(query), canonicalHeaders, signed.join(';'), declared ?? payloadHash].join('\n');
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${credential.secretAccessKey}`, auth.date);
  key = hmac(key, auth.region);
  key = hmac(key, auth.service);
  key = hmac(key, 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new Ec2ApiError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.', 403);
  }
  return auth.accessKeyId;
}
