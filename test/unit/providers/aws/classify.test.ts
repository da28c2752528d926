/** The AWS error classifier (providers/aws/classify.ts): each failure's class, and hints that say what to fix. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyAws, type CallFacts } from '../../../../providers/aws/classify.js';
import { arnOf, grantHint } from '../../../../providers/aws/actions.js';

const scope = { region: 'eu-west-1', account: '123456789012' };
const facts: CallFacts = { action: 'AssociateAddress', resources: ['eipalloc-0123456789abcdef0', 'eni-0123456789abcdef0'], scope, credentials: 'access key AKIAEXAMPLE from environment variables' };

/** An SDK ServiceException as the EC2 client throws it (name = the EC2 error code). */
function service(name: string, status: number, message = `${name} message`, fault: 'client' | 'server' = status >= 500 ? 'server' : 'client') {
  return Object.assign(new Error(message), { name, $fault: fault, $metadata: { httpStatusCode: status } });
}
function node(code: string) {
  return Object.assign(new Error(`socket ${code}`), { code });
}

describe('classifyAws', () => {
  const table: [string, unknown, string][] = [
    ['RequestLimitExceeded', service('RequestLimitExceeded', 503), 'throttled'],
    ['Throttling', service('Throttling', 400), 'throttled'],
    ['HTTP 429', service('SomethingElse', 429), 'throttled'],
    ['InternalError', service('InternalError', 500), 'transient'],
    ['ServiceUnavailable', service('ServiceUnavailable', 503), 'transient'],
    ['an unknown 502', service('BadGateway', 502), 'transient'],
    ['ECONNRESET', node('ECONNRESET'), 'transient'],
    ['ECONNREFUSED', node('ECONNREFUSED'), 'transient'],
    ['the SDK request timeout', Object.assign(new Error('Connection timed out after 5000 ms'), { name: 'TimeoutError' }), 'transient'],
    ['UnauthorizedOperation', service('UnauthorizedOperation', 403), 'auth'],
    ['AuthFailure', service('AuthFailure', 401), 'auth'],
    ['InvalidClientTokenId', service('InvalidClientTokenId', 403), 'auth'],
    ['SignatureDoesNotMatch', service('SignatureDoesNotMatch', 403), 'auth'],
    ['ExpiredToken', service('ExpiredToken', 400), 'auth'],
    ['RequestExpired', service('RequestExpired', 400), 'auth'],
    ['no credentials', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'auth'],
    ['InvalidAllocationID.NotFound', service('InvalidAllocationID.NotFound', 400), 'not-found'],
    ['InvalidRouteTableID.NotFound', service('InvalidRouteTableID.NotFound', 400), 'not-found'],
    ['a region mismatch', service('AuthFailure', 401, "Credential should be scoped to a valid region, not 'eu-west-1'"), 'not-found'],
    ['InvalidParameterValue', service('InvalidParameterValue', 400), 'invalid'],
    ['InvalidAllocationID.Malformed', service('InvalidAllocationID.Malformed', 400), 'invalid'],
    ['Resource.AlreadyAssociated', service('Resource.AlreadyAssociated', 400), 'invalid'],
    ['UnknownParameter', service('UnknownParameter', 400), 'invalid'],
  ];
  for (const [what, err, expected] of table) {
    it(`${what} is ${expected}`, () => assert.equal(classifyAws(err, facts).errorClass, expected));
  }

  it('a missing permission names the IAM action, the resource ARNs and the policy file', () => {
    const c = classifyAws(service('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'), facts);
    assert.match(c.hint ?? '', /grant ec2:AssociateAddress on arn:aws:ec2:eu-west-1:123456789012:elastic-ip\/eipalloc-0123456789abcdef0 and arn:aws:ec2:eu-west-1:123456789012:network-interface\/eni-0123456789abcdef0/);
    assert.match(c.hint ?? '', /deploy\/aws\/iam-policy\.json/);
    assert.match(c.detail, /AKIAEXAMPLE from environment variables/);
  });

  it('refused credentials name the access key id and where it came from, never a secret', () => {
    const c = classifyAws(service('AuthFailure', 401, 'AWS was not able to validate the provided access credentials'), facts);
    assert.match(c.hint ?? '', /access key AKIAEXAMPLE from environment variables/);
    assert.match(c.hint ?? '', /AWS_ACCESS_KEY_ID/);
  });

  it('not-found names the id and the region, and says to check the region setting', () => {
    const c = classifyAws(service('InvalidAllocationID.NotFound', 400), facts);
    assert.match(c.hint ?? '', /eipalloc-0123456789abcdef0 does not exist in region eu-west-1/);
    assert.match(c.hint ?? '', /set region \/ AWS_REGION/);
  });

  it('a wrong region says to set region / AWS_REGION', () => {
    const c = classifyAws(service('AuthFailure', 401, "Credential should be scoped to a valid region, not 'eu-west-1' (this endpoint serves 'us-east-1')"), facts);
    assert.match(c.hint ?? '', /set region \/ AWS_REGION/);
  });

  it('Describe actions are granted on "*" (EC2 cannot scope them), others on their ARNs', () => {
    assert.match(grantHint('DescribeAddresses', ['eipalloc-0123456789abcdef0'], scope), /on "\*"/);
    assert.equal(arnOf('rtb-0123456789abcdef0', { region: 'cn-north-1', account: '1' }), 'arn:aws-cn:ec2:cn-north-1:1:route-table/rtb-0123456789abcdef0');
    assert.equal(arnOf('eni-01234567', { region: 'us-east-1', account: undefined }), 'arn:aws:ec2:us-east-1:ACCOUNT:network-interface/eni-01234567');
  });
});
