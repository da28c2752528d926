/**
 * `vipd import keepalived` and `vipd run --keepalived-conf` as child processes: stdout, stderr
 * and exit codes. A valid keepalived.conf is not run (VRRP needs root and real interfaces);
 * convert.test.ts tests that conversion path (keepalivedSource) without a process.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { vipdOnce } from '../../cli/child.js';
import { FIXTURES } from './helpers.js';

const F = 'test/fixtures/keepalived';

describe('vipd import keepalived', () => {
  it('prints the YAML on stdout, every unmapped option on stderr with file:line and why, a summary, exit 0', async () => {
    const r = await vipdOnce(['import', 'keepalived', `${F}/basic.conf`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, readFileSync(join(FIXTURES, 'expected', 'basic.yaml'), 'utf8'));
    const lines = r.err.trim().split('\n');
    assert.ok(lines.includes(`${F}/basic.conf:19:5: unmapped: smtp_alert: vipd sends no mail; notify.webhooks POSTs each role change as JSON (docs/notify.md)`), r.err);
    assert.ok(lines.includes(`${F}/basic.conf:41:5: unmapped: smtp_alert: vipd sends no mail; notify.webhooks POSTs each role change as JSON (docs/notify.md)`), r.err);
    assert.ok(lines.some((l) => l.startsWith(`${F}/basic.conf:16:5: note: state MASTER: vipd takes no start state`)), r.err);
    assert.ok(lines.some((l) => /^test\/fixtures\/keepalived\/basic\.conf:23:5: groups\[0\]\.auth_pass: warning: PASS authentication is cleartext/.test(l)), r.err);
    assert.equal(lines.at(-1), `vipd import keepalived: ${F}/basic.conf: from 1 file: 2 groups, 0 checks, 0 sync groups; 7 options not mapped, 8 notes (each above with its file:line)`);
    assert.equal(lines.filter((l) => /: unmapped: /.test(l)).length, 7);
  });

  it('-o writes the file instead of stdout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vipd-ka-cli-'));
    try {
      const out = join(dir, 'vipd.yaml');
      const r = await vipdOnce(['import', 'keepalived', `${F}/aws-eip.conf`, '-o', out]);
      assert.equal(r.code, 0, r.err);
      assert.equal(r.out, '');
      assert.match(readFileSync(out, 'utf8'), /mode: eip\n\s+region: us-east-1\n\s+allocation_id: eipalloc-0a1b2c3d4e5f67890/);
      assert.match(r.err, new RegExp(`vipd import keepalived: wrote ${out}\\n$`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a syntax error or an unreadable include: exit 1, nothing on stdout, the file:line on stderr', async () => {
    const brace = await vipdOnce(['import', 'keepalived', `${F}/errors/extra-brace.conf`]);
    assert.equal(brace.code, 1, brace.err);
    assert.equal(brace.out, '');
    assert.match(brace.err, /^test\/fixtures\/keepalived\/errors\/extra-brace\.conf:8:1: error: unexpected '\}': no block is open here/m);
    assert.match(brace.err, /^vipd import keepalived: nothing written: 1 error\(s\) in test\/fixtures\/keepalived\/errors\/extra-brace\.conf$/m);
    const include = await vipdOnce(['import', 'keepalived', `${F}/errors/missing-include.conf`]);
    assert.equal(include.code, 1);
    assert.match(include.err, /^test\/fixtures\/keepalived\/errors\/missing-include\.conf:4:1: error: cannot read included file conf\.d\/does-not-exist\.conf \(.*\): no such file$/m);
  });

  it('usage errors exit 2', async () => {
    const missing = await vipdOnce(['import', 'keepalived']);
    assert.equal(missing.code, 2, missing.err);
    assert.match(missing.err, /missing required argument 'file'/);
    const unknown = await vipdOnce(['import', 'keepalived', `${F}/basic.conf`, '--frobnicate']);
    assert.equal(unknown.code, 2);
    const bare = await vipdOnce(['import']);
    assert.equal(bare.code, 2);
  });
});

describe('vipd run --keepalived-conf', () => {
  it('an invalid keepalived.conf refuses to start, exit 2, naming file:line', async () => {
    const r = await vipdOnce(['run', '--keepalived-conf', `${F}/errors/unbalanced.conf`]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^test\/fixtures\/keepalived\/errors\/unbalanced\.conf:3:20: error: '\{' of vrrp_instance \(test\/fixtures\/keepalived\/errors\/unbalanced\.conf:3:1\) is never closed/m);
    assert.match(r.err, /^vipd: refusing to start: 1 error\(s\) in test\/fixtures\/keepalived\/errors\/unbalanced\.conf$/m);
    const nothing = await vipdOnce(['run', '--keepalived-conf', `${F}/errors/nothing.conf`]);
    assert.equal(nothing.code, 2);
    assert.match(nothing.err, /^test\/fixtures\/keepalived\/errors\/nothing\.conf:5:1: vrrp_instance VI_1: unmapped: has no interface .*: not imported$/m);
  });

  it('-c and --keepalived-conf: exactly one of them, else a usage error (exit 2)', async () => {
    const both = await vipdOnce(['run', '-c', 'test/fixtures/config/insecure-single.yaml', '--keepalived-conf', `${F}/basic.conf`]);
    assert.equal(both.code, 2);
    assert.match(both.err, /give exactly one of -c\/--config <file> and --keepalived-conf <file>/);
    const neither = await vipdOnce(['run']);
    assert.equal(neither.code, 2);
  });
});
