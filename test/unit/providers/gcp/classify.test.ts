/**
 * Compute failures → error classes and hints (providers/gcp/classify.ts), from the shapes the
 * REST transport really throws (GaxiosError: the HTTP status, and the JSON body as the message;
 * providers/gcp/README.md "Errors").
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyError, failureFacts, isStaleFingerprint, permissionHint } from '../../../../providers/gcp/classify.js';
import { MetadataError } from '../../../../providers/gcp/metadata.js';
import { ProviderError } from '../../../../src/ports/vip-provider.js';

/** What google-auth-library's transport throws for an HTTP error: status, and the body as message. */
function httpError(status: number, reason: string, message = 'x'): Error {
  const e = new Error(JSON.stringify({ error: { code: status, message, errors: [{ domain: 'global', reason, message }] } })) as Error & { status: number; code: number };
  e.status = status;
  e.code = status;
  return e;
}

function socketError(code: string): Error {
  return Object.assign(new Error(`request to http://127.0.0.1:1/ failed, reason: ${code}`), { code });
}

const target = { permission: 'compute.instances.updateNetworkInterface', resource: 'instance vipd-b in zone us-central1-a of project vipd-test', principal: 'vipd@vipd-test.iam.gserviceaccount.com' };

describe('gcp classify', () => {
  const table: [string, unknown, string][] = [
    ['429 rateLimitExceeded', httpError(429, 'rateLimitExceeded'), 'throttled'],
    ['403 userRateLimitExceeded (GCP throttles with 403 too)', httpError(403, 'userRateLimitExceeded'), 'throttled'],
    ['403 quotaExceeded', httpError(403, 'quotaExceeded'), 'throttled'],
    ['500 backendError', httpError(500, 'backendError'), 'transient'],
    ['503', httpError(503, 'backendError'), 'transient'],
    ['400 resourceNotReady (another operation on the instance)', httpError(400, 'resourceNotReady'), 'transient'],
    ['ECONNRESET', socketError('ECONNRESET'), 'transient'],
    ['ECONNREFUSED', socketError('ECONNREFUSED'), 'transient'],
    ['a timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 'transient'],
    ['401', httpError(401, 'authError'), 'auth'],
    ['403 forbidden', httpError(403, 'forbidden', "Required 'compute.instances.updateNetworkInterface' permission"), 'auth'],
    ['404 notFound', httpError(404, 'notFound'), 'not-found'],
    ['400 invalid', httpError(400, 'invalid'), 'invalid'],
    ['412 conditionNotMet', httpError(412, 'conditionNotMet'), 'invalid'],
    ['409 alreadyExists', httpError(409, 'alreadyExists'), 'invalid'],
    ['a TypeError (a bug: not retried in a loop)', new TypeError('x is undefined'), 'invalid'],
  ];
  for (const [name, err, cls] of table) {
    it(`${name} → ${cls}`, () => assert.equal(classifyError(err, target).errorClass, cls));
  }

  it('a 403 hint names the permission, the role file, the service account and the resource', () => {
    const c = classifyError(httpError(403, 'forbidden'), target);
    assert.equal(c.hint, 'grant compute.instances.updateNetworkInterface (deploy/gcp/vipd-role.yaml) to vipd@vipd-test.iam.gserviceaccount.com on instance vipd-b in zone us-central1-a of project vipd-test');
    assert.equal(permissionHint('compute.routes.create', 'project p'), "grant compute.routes.create (deploy/gcp/vipd-role.yaml) to the instance's service account on project p");
  });

  it('a 404 hint names the resource, project and zone to check', () => {
    const c = classifyError(httpError(404, 'notFound'), target);
    assert.match(c.hint ?? '', /instance vipd-b in zone us-central1-a of project vipd-test does not exist/);
    assert.match(c.hint ?? '', /project\/zone/);
  });

  it('the detail carries the status, the reason and the API message, on one line', () => {
    const c = classifyError(httpError(412, 'conditionNotMet', 'Supplied fingerprint does not match\ncurrent fingerprint'), target);
    assert.equal(c.detail, 'HTTP 412 conditionNotMet Supplied fingerprint does not match current fingerprint');
  });

  it('failureFacts reads gRPC-coded GoogleErrors as their HTTP status', () => {
    assert.equal(failureFacts(Object.assign(new Error('denied'), { code: 7 })).status, 403);
    assert.equal(failureFacts(Object.assign(new Error('gone'), { code: 5 })).status, 404);
  });

  it('metadata: no token for the service account is auth; unreachable is transient with a hint; not a metadata server is invalid', () => {
    assert.equal(classifyError(new MetadataError('token', 404), target).errorClass, 'auth');
    assert.match(classifyError(new MetadataError('token', 403), target).hint ?? '', /service account/);
    const unreachable = classifyError(new MetadataError('unreachable'), target);
    assert.equal(unreachable.errorClass, 'transient');
    assert.match(unreachable.hint ?? '', /metadata_host/);
    assert.equal(classifyError(new MetadataError('no flavor', 200, { notMetadataServer: true }), target).errorClass, 'invalid');
    // As the cause of an API call's failure (the token is fetched inside the request).
    assert.equal(classifyError(new Error('Could not refresh access token', { cause: new MetadataError('token', 404) }), target).errorClass, 'auth');
  });

  it('isStaleFingerprint sees a 412 directly and inside a ProviderError', () => {
    assert.ok(isStaleFingerprint(httpError(412, 'conditionNotMet')));
    assert.ok(isStaleFingerprint(new ProviderError('x', 'y', 'invalid', { cause: httpError(412, 'conditionNotMet') })));
    assert.ok(!isStaleFingerprint(new ProviderError('x', 'y', 'invalid', { cause: httpError(400, 'invalid') })));
  });
});
