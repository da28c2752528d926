/**
 * The fake's SigV4 verifier on the "get-vanilla" case of AWS's published Signature Version 4
 * test suite (AWS General Reference, "Signature Version 4 test suite": key AKIDEXAMPLE, region
 * us-east-1, service "service", 2015-08-30T12:36:00Z), and on variations of it that must fail.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifySigV4, type SignedRequest } from './sigv4.js';
import { Ec2ApiError } from './xml.js';

const SIGNATURE = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31';
const auth = (over: { scope?: string; signed?: string; signature?: string } = {}): string =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${over.scope ?? '20150830/us-east-1/service/aws4_request'}, SignedHeaders=${over.signed ?? 'host;x-amz-date'}, Signature=${over.signature ?? SIGNATURE}`;
const vanilla = (authorization = auth(), extra: string[] = []): SignedRequest => ({
  method: 'GET',
  url: '/',
  rawHeaders: ['Host', 'example.amazonaws.com', 'X-Amz-Date', '20150830T123600Z', 'Authorization', authorization, ...extra],
  body: Buffer.alloc(0),
});
const opts = (over: { secret?: string; now?: number; region?: string } = {}) => ({
  region: over.region ?? 'us-east-1',
  service: 'service',
  lookup: (id: string) => (id === 'AKIDEXAMPLE' ? { accessKeyId: id, secretAccessKey: over.secret ?? 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } : undefined),
  now: over.now ?? Date.UTC(2015, 7, 30, 12, 36, 0),
});

function refusal(f: () => unknown): Ec2ApiError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof Ec2ApiError, String(e));
    return e;
  }
  assert.fail('the signature was accepted');
}

describe('SigV4 verification', () => {
  it('accepts the test suite\'s get-vanilla request and returns its key id', () => {
    assert.equal(verifySigV4(vanilla(), opts()), 'AKIDEXAMPLE');
  });

  it('refuses it with another secret, another signature, a changed header or an unsigned extra token', () => {
    assert.equal(refusal(() => verifySigV4(vanilla(), opts({ secret: 'other' }))).code, 'SignatureDoesNotMatch');
    assert.equal(refusal(() => verifySigV4(vanilla(auth({ signature: SIGNATURE.replace('5', '6') })), opts())).code, 'SignatureDoesNotMatch');
    const moved = vanilla();
    const changed = { ...moved, rawHeaders: moved.rawHeaders.map((h) => (h === 'example.amazonaws.com' ? 'example.amazonaws.org' : h)) };
    assert.equal(refusal(() => verifySigV4(changed, opts())).code, 'SignatureDoesNotMatch');
    assert.equal(refusal(() => verifySigV4(vanilla(auth(), ['X-Amz-Security-Token', 'x']), opts())).code, 'AuthFailure');
  });

  it('names the region, the clock and the header rules it enforces', () => {
    assert.match(refusal(() => verifySigV4(vanilla(), opts({ region: 'eu-west-1' }))).message, /not 'us-east-1'.*serves 'eu-west-1'/);
    const late = refusal(() => verifySigV4(vanilla(), opts({ now: Date.UTC(2015, 7, 30, 12, 41, 1) })));
    assert.equal(late.code, 'RequestExpired');
    assert.equal(verifySigV4(vanilla(), opts({ now: Date.UTC(2015, 7, 30, 12, 41, 0) })), 'AKIDEXAMPLE', 'five minutes is still in time');
    assert.equal(refusal(() => verifySigV4(vanilla(auth({ scope: '20150831/us-east-1/service/aws4_request' })), opts())).code, 'SignatureDoesNotMatch');
    assert.match(refusal(() => verifySigV4(vanilla(auth({ signed: 'x-amz-date;host' })), opts())).message, /sorted/);
    assert.match(refusal(() => verifySigV4(vanilla(auth({ signed: 'host' })), opts())).message, /x-amz-date/);
    assert.equal(refusal(() => verifySigV4(vanilla(auth().replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')), opts())).code, 'IncompleteSignature');
    const unsigned = { ...vanilla(), rawHeaders: ['Host', 'example.amazonaws.com'] };
    assert.equal(refusal(() => verifySigV4(unsigned, opts())).status, 401);
  });
});
