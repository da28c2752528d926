import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { parseConfigText } from '../../../src/config/load.js';
import { REGISTRY } from './helpers.js';

// Bad input must become issues, never an exception (`vipd check` has to print something).
const neverThrows = (text: string) => {
  const result = parseConfigText(text, 'prop.yaml', REGISTRY);
  if (!result.ok) {
    assert.ok(result.errors.length > 0);
    for (const issue of result.errors) assert.ok(!issue.message.includes('internal error'), issue.message);
  }
};

test('parseConfigText never throws on arbitrary strings', () => {
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), neverThrows), { numRuns: 2000 });
});

test('parseConfigText never throws on arbitrary YAML documents', () => {
  const key = fc.constantFrom('cluster_id', 'node', 'id', 'groups', 'name', 'vrid', 'interface', 'vips', 'peers', 'timing', 'membership', 'provider', 'type', 'advert_interval', 'version', '__proto__', 'x',
    'role', 'listen', 'advertise', 'seeds', 'insecure', 'tls', 'ca', 'allow', 'auth', 'mode', 'active_key', 'keys', 'secret', 'secret_file', 'transport', 'witnesses', 'quorum');
  const value = fc.letrec((tie) => ({
    any: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 1 }), fc.array(tie('any'), { maxLength: 3 }), fc.dictionary(key, tie('any'), { maxKeys: 4 })),
  })).any;
  fc.assert(fc.property(value, (doc) => neverThrows(stringify(doc))), { numRuns: 1000 });
});
