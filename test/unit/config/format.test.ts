import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatPath } from '../../../src/config/findings.js';
import { formatIssue } from '../../../src/config/format.js';
import { parseConfigText } from '../../../src/config/load.js';
import { REGISTRY } from './helpers.js';

test('formatPath: dots for keys, [i] for indexes, quotes for odd keys, (root)', () => {
  assert.equal(formatPath([]), '(root)');
  assert.equal(formatPath(['groups', 0, 'priority']), 'groups[0].priority');
  assert.equal(formatPath(['groups', 1, 'vips', 2]), 'groups[1].vips[2]');
  assert.equal(formatPath(['a.b', 'c d']), '["a.b"]["c d"]');
});

test('formatIssue: FILE:LINE:COL: PATH: MESSAGE, position omitted when unknown, one line', () => {
  assert.equal(formatIssue({ file: 'v.yaml', path: 'groups[0].priority', line: 7, column: 15, message: 'bad' }), 'v.yaml:7:15: groups[0].priority: bad');
  assert.equal(formatIssue({ file: 'v.yaml', path: '(root)', message: 'cannot read' }), 'v.yaml: (root): cannot read');
  assert.equal(formatIssue({ file: 'v.yaml', path: 'x', line: 1, column: 1, message: 'a\nb' }, 'warning'), 'v.yaml:1:1: x: warning: a b');
});

test('several YAML documents in one file are one clear error', () => {
  const result = parseConfigText('a: 1\n---\nb: 2\n', 'v.yaml', REGISTRY);
  assert.ok(!result.ok);
  assert.deepEqual(result.errors.map((i) => [i.path, i.line, i.message]), [
    ['(root)', 2, 'invalid YAML: the file holds more than one document ("---"); vipd reads exactly one'],
  ]);
});
