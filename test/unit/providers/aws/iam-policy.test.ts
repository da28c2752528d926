/**
 * deploy/aws/iam-policy.json grants exactly the EC2 actions the aws provider can call: every
 * request goes through Ec2Session.send with an action of EC2_ACTIONS, and every SDK command the
 * code builds is one of them; the policy lists each of those and nothing else, scoped to
 * resources except the Describe actions (which EC2 cannot scope), and CreateTags only for the
 * fence tag key.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DESCRIBE_ACTIONS, EC2_ACTIONS } from '../../../../providers/aws/actions.js';

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

const root = join(import.meta.dirname, '..', '..', '..', '..');
const policy = JSON.parse(readFileSync(join(root, 'deploy/aws/iam-policy.json'), 'utf8')) as { Statement: Statement[] };
const list = (x: string | string[]) => (Array.isArray(x) ? x : [x]);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** What the code can send: the SDK commands it constructs and the actions it names to send(). */
function actionsInCode(): { commands: Set<string>; sent: Set<string> } {
  const commands = new Set<string>();
  const sent = new Set<string>();
  for (const file of sources(join(root, 'providers/aws'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/ec2\(\)\.(\w+)Command\b/g)) commands.add(m[1]!);
    for (const m of text.matchAll(/\.send\(\s*'([A-Z][a-z]\w+)'/g)) sent.add(m[1]!); // an EC2 action, not IMDS's PUT/GET
  }
  return { commands, sent };
}

describe('deploy/aws/iam-policy.json', () => {
  const granted = policy.Statement.flatMap((s) => list(s.Action));

  it('grants every action of EC2_ACTIONS, once, and nothing else', () => {
    assert.deepEqual([...granted].sort(), EC2_ACTIONS.map((a) => `ec2:${a}`).sort());
  });

  it('EC2_ACTIONS is exactly what the code sends (commands built and actions named)', () => {
    const { commands, sent } = actionsInCode();
    assert.ok(commands.size >= 5, `found the commands in the code: ${[...commands].join(', ')}`);
    assert.deepEqual([...commands].sort(), [...EC2_ACTIONS].sort(), 'SDK commands built by providers/aws');
    assert.ok(sent.size >= 10, `found the send() calls in the code: ${[...sent].join(', ')}`);
    for (const action of sent) assert.ok((EC2_ACTIONS as readonly string[]).includes(action), `send('${action}') is not in EC2_ACTIONS`);
  });

  it('only Describe actions are on "*"; every other statement names resources', () => {
    for (const s of policy.Statement) {
      assert.equal(s.Effect, 'Allow');
      const describes = list(s.Action).every((a) => DESCRIBE_ACTIONS.includes(a.replace('ec2:', '') as never));
      if (describes) assert.deepEqual(list(s.Resource), ['*'], s.Sid);
      else for (const r of list(s.Resource)) assert.match(r, /^arn:aws:ec2:REGION:ACCOUNT_ID:(elastic-ip|network-interface|instance|route-table)\/\S+$/, s.Sid);
    }
  });

  it('CreateTags is limited to the fence tag key', () => {
    const tags = policy.Statement.find((s) => list(s.Action).includes('ec2:CreateTags'));
    assert.ok(tags);
    assert.deepEqual(tags.Condition?.['ForAllValues:StringLike']?.['aws:TagKeys'], ['vipd:fence:*']);
    // ForAllValues is true for a request without tags; the Null condition requires tag keys.
    assert.equal(tags.Condition?.Null?.['aws:TagKeys'], 'false');
  });
});
