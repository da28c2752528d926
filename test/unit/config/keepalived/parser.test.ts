/**
 * keepalived.conf structure and includes (src/config/keepalived/parser.ts, reader.ts): blocks,
 * where '{' may stand, includes with globs, braces and paths relative to the including file,
 * cycles, limits, and every syntax error at its file and line.
 */
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { KeepalivedSyntaxError } from '../../../../src/config/keepalived/lexer.js';
import { parseKeepalived, type KNode } from '../../../../src/config/keepalived/parser.js';
import type { ReadOptions } from '../../../../src/config/keepalived/reader.js';
import { fixture, tree } from './helpers.js';

/** Parses a tree's `main.conf`; file names (nodes, files, notes) are made relative to the tree. */
function parseTree(files: Record<string, string>, options: ReadOptions = {}) {
  const t = tree(files);
  try {
    const p = parseKeepalived(join(t.dir, 'main.conf'), options);
    const rel = (file: string) => relative(t.dir, file);
    const fix = (n: KNode): KNode => ({ ...n, at: { ...n.at, file: rel(n.at.file) }, ...(n.block && { block: n.block.map(fix) }) });
    return { nodes: p.nodes.map(fix), files: p.files.map(rel), notes: p.notes.map((n) => ({ ...n, at: { ...n.at, file: rel(n.at.file) } })) };
  } finally {
    t.remove();
  }
}

function failure(files: Record<string, string>, options: ReadOptions = {}): KeepalivedSyntaxError {
  const t = tree(files);
  try {
    parseKeepalived(join(t.dir, 'main.conf'), options);
  } catch (error) {
    assert.ok(error instanceof KeepalivedSyntaxError, String(error));
    // Names relative to the tree, so tests read them without the temporary directory.
    return new KeepalivedSyntaxError({ ...error.at, file: error.at.file.replace(`${t.dir}/`, '') }, error.message.split(`${t.dir}/`).join(''));
  } finally {
    t.remove();
  }
  assert.fail('expected a syntax error');
}

const shape = (nodes: readonly KNode[]): unknown => nodes.map((n) => (n.block ? { [n.name]: [n.args.map((a) => a.text), shape(n.block)] } : [n.name, ...n.args.map((a) => a.text)]));

describe('blocks', () => {
  it('nests blocks; every node keeps its file, line and column', () => {
    const p = parseTree({ 'main.conf': 'global_defs {\n  router_id a   # comment\n}\nvrrp_instance VI_1 {\n    virtual_ipaddress {\n        192.0.2.10/24 dev eth0\n    }\n}\n' });
    assert.deepEqual(shape(p.nodes), [{ global_defs: [[], [['router_id', 'a']]] }, { vrrp_instance: [['VI_1'], [{ virtual_ipaddress: [[], [['192.0.2.10/24', 'dev', 'eth0']]] }]] }]);
    const vip = p.nodes[1]?.block?.[0]?.block?.[0];
    assert.deepEqual([vip?.at.file, vip?.at.line, vip?.at.col], ['main.conf', 6, 9]);
  });

  it("takes '{' on the next line, a block on one line, and '}' followed by more", () => {
    const p = parseTree({ 'main.conf': 'vrrp_instance db\n{\n  virtual_ipaddress { 192.0.2.1 }\n  group { A B } }\nvrrp_script x {\n}\n' });
    assert.deepEqual(shape(p.nodes), [{ vrrp_instance: [['db'], [{ virtual_ipaddress: [[], [['192.0.2.1']]] }, { group: [[], [['A', 'B']]] }]] }, { vrrp_script: [['x'], []] }]);
  });

  it("an unclosed '{' is an error at its file:line:col naming the block", () => {
    const e = failure({ 'main.conf': 'vrrp_instance VI_1 {\n  virtual_ipaddress {\n    192.0.2.1\n}\n' });
    // The '}' on line 4 closes virtual_ipaddress: the instance's block is the one left open.
    assert.deepEqual([e.at.file, e.at.line, e.at.col], ['main.conf', 1, 20]);
    assert.match(e.message, /'\{' of vrrp_instance \(main\.conf:1:1\) is never closed: the files end with 1 block\(s\) open/);
  });

  it("one '}' too many is an error at its file:line:col", () => {
    const e = failure({ 'main.conf': 'global_defs {\n}\n  }\n' });
    assert.deepEqual([e.at.line, e.at.col], [3, 3]);
    assert.match(e.message, /unexpected '\}': no block is open here/);
  });

  it("'{' without a keyword, and an unterminated quote, are errors at their line", () => {
    assert.equal(failure({ 'main.conf': '\n{\n}\n' }).at.line, 2);
    const q = failure({ 'main.conf': 'a {\n  script "x\n}\n' });
    assert.deepEqual([q.at.line, /unterminated double quote/.test(q.message)], [2, true]);
  });

  it('the error fixtures name their file and line', () => {
    const cases: [string, number, RegExp][] = [
      ['errors/unbalanced.conf', 3, /'\{' of vrrp_instance .* is never closed/],
      ['errors/extra-brace.conf', 8, /unexpected '\}'/],
      ['errors/unterminated-quote.conf', 2, /unterminated double quote/],
      ['errors/missing-include.conf', 4, /cannot read included file conf\.d\/does-not-exist\.conf .*: no such file/],
      ['errors/cycle-b.conf', 1, /include cycle: .*cycle-a\.conf:4 includes .*cycle-b\.conf, .*cycle-b\.conf:1 includes .*cycle-a\.conf, which is already being read/],
    ];
    for (const [name, line, message] of cases) {
      const main = name === 'errors/cycle-b.conf' ? 'errors/cycle-a.conf' : name;
      assert.throws(() => parseKeepalived(fixture(main)), (e: unknown) => {
        assert.ok(e instanceof KeepalivedSyntaxError);
        assert.equal(e.at.file, fixture(name), name);
        assert.equal(e.at.line, line, name);
        assert.match(e.message, message);
        return true;
      });
    }
  });
});

describe('include', () => {
  it('globs sort, braces keep their order, and a relative path is relative to the including file', () => {
    const p = parseTree({
      'main.conf': 'include conf.d/*.conf\ninclude pick/{b,a}.conf\n',
      'conf.d/20-b.conf': 'b_at_20 x\n',
      'conf.d/10-a.conf': 'include ../common/defs.conf\n',
      'conf.d/.hidden.conf': 'never { read\n',
      'common/defs.conf': 'common y\n',
      'pick/a.conf': 'picked a\n',
      'pick/b.conf': 'picked b\n',
    });
    assert.deepEqual(shape(p.nodes), [['common', 'y'], ['b_at_20', 'x'], ['picked', 'b'], ['picked', 'a']]);
    assert.deepEqual(p.files, ['main.conf', 'conf.d/10-a.conf', 'common/defs.conf', 'conf.d/20-b.conf', 'pick/b.conf', 'pick/a.conf']);
    assert.deepEqual([p.nodes[0]?.at.file, p.nodes[0]?.at.line], ['common/defs.conf', 1]);
  });

  it('an include inside a block adds to that block; a block may close in another file', () => {
    const p = parseTree({
      'main.conf': 'vrrp_instance V {\n  virtual_ipaddress {\n    include vips.txt\n  }\n  include tail.conf\n',
      'vips.txt': '192.0.2.1\n192.0.2.2\n',
      'tail.conf': '  priority 9\n}\n',
    });
    assert.deepEqual(shape(p.nodes), [{ vrrp_instance: [['V'], [{ virtual_ipaddress: [[], [['192.0.2.1'], ['192.0.2.2']]] }, ['priority', '9']]] }]);
  });

  it('a wildcard that matches nothing is a note (an error for includew); a named file that is missing is an error at the include', () => {
    const p = parseTree({ 'main.conf': 'x 1\ninclude none/*.conf\n' });
    assert.deepEqual(p.notes.map((n) => [n.at.line, n.option, /matched no file/.test(n.reason)]), [[2, 'include none/*.conf', true]]);
    assert.match(failure({ 'main.conf': 'includew none/*.conf\n' }).message, /no file matched \(includew requires a match\)/);
    const e = failure({ 'main.conf': '\n\ninclude missing.conf\n' });
    assert.deepEqual([e.at.file, e.at.line, e.at.col], ['main.conf', 3, 1]);
  });

  it('a cycle, also of a file with itself, is an error naming the chain', () => {
    const self = failure({ 'main.conf': 'include main.conf\n' });
    assert.match(self.message, /include cycle: main\.conf:1 includes main\.conf, which is already being read/);
    const chain = failure({ 'main.conf': 'include a.conf\n', 'a.conf': 'include b.conf\n', 'b.conf': '\ninclude a.conf\n' });
    assert.deepEqual([chain.at.file, chain.at.line], ['b.conf', 2]);
    assert.match(chain.message, /include cycle: a\.conf:1 includes b\.conf, b\.conf:2 includes a\.conf, which is already being read/);
  });

  it('a file included twice (not a cycle) is read twice, as keepalived does', () => {
    const p = parseTree({ 'main.conf': 'include a.conf\ninclude a.conf\n', 'a.conf': 'x 1\n' });
    assert.equal(p.nodes.length, 2);
  });

  it('depth, file count and size are bounded', () => {
    const deep: Record<string, string> = { 'main.conf': 'include d1.conf\n' };
    for (let i = 1; i <= 5; i++) deep[`d${i}.conf`] = `include d${i + 1}.conf\n`;
    deep['d6.conf'] = 'x 1\n';
    assert.equal(parseTree(deep, { limits: { maxDepth: 6 } }).nodes.length, 1);
    assert.match(failure(deep, { limits: { maxDepth: 5 } }).message, /nested more than 5 deep/);
    const many = { 'main.conf': 'include c/*.conf\n', 'c/1.conf': '', 'c/2.conf': '', 'c/3.conf': '' };
    assert.match(failure(many, { limits: { maxFiles: 3 } }).message, /more than 3 files/);
    assert.match(failure({ 'main.conf': 'x '.repeat(100) }, { limits: { maxFileBytes: 64 } }).message, /cannot read the file: is larger than 64 bytes/);
  });

  it('skips an executable file, as keepalived does, and says so', () => {
    const t = tree({ 'main.conf': 'include run.sh\nx 1\n', 'run.sh': 'y 2\n' });
    try {
      chmodSync(join(t.dir, 'run.sh'), 0o755);
      const p = parseKeepalived(join(t.dir, 'main.conf'));
      assert.deepEqual(shape(p.nodes), [['x', '1']]);
      assert.match(p.notes[0]?.reason ?? '', /executable/);
    } finally {
      t.remove();
    }
  });

  it('an unreadable main file is an error naming the file', () => {
    assert.throws(() => parseKeepalived('/nonexistent/keepalived.conf'), (e: unknown) => e instanceof KeepalivedSyntaxError && e.at.file === '/nonexistent/keepalived.conf' && /no such file/.test(e.message));
  });
});
