import assert from 'node:assert/strict';
import { it } from 'node:test';
import { tsxChild, vipd, vipdOnce, type Child } from './child.js';

const logLines = (c: Child) => c.out().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number; signal?: string; reload?: boolean });
const roleChanges = (c: Child) => logLines(c).filter((l) => /^[A-Z]+ -> [A-Z]+ \(/.test(l.msg)).map((l) => l.msg);

it('vipd run: a lone insecure node warns loudly, becomes master, and stops gracefully on SIGTERM with exit 0', async () => {
  const c = vipd(['run', '-c', 'test/fixtures/config/insecure-single.yaml']);
  try {
    await c.waitFor(/BACKUP -> MASTER/, 15_000);
    const warns = logLines(c).filter((l) => l.level === 40).map((l) => l.msg).join('\n');
    assert.match(warns, /insecure: true/);
    assert.match(warns, /will be master alone/);
    c.proc.kill('SIGTERM');
    const { code } = await c.exit(10_000);
    assert.equal(code, 0, c.err());
    const msgs = logLines(c).map((l) => l.msg);
    assert.ok(msgs.some((m) => /^MASTER -> INITIALIZE \(shutdown\)/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /noop: would unbind/.test(m)));
    assert.equal(msgs.at(-1), 'stopped');
  } finally {
    c.proc.kill('SIGKILL');
  }
});

// Issue 8 finding 2: SIGHUP (what `systemctl reload` sends) ended vipd with exit 129, no
// priority-0 advert and the VIP still bound.
it('vipd run: SIGHUP reloads the unchanged file and leaves it running and master; SIGINT then stops it gracefully', async () => {
  const c = vipd(['run', '-c', 'test/fixtures/config/insecure-single.yaml']);
  try {
    await c.waitFor(/BACKUP -> MASTER/, 15_000);
    const before = roleChanges(c);
    c.proc.kill('SIGHUP');
    await c.waitFor(/reload: .*no change/, 10_000);
    c.proc.kill('SIGHUP');
    await c.waitFor(/reload: .*no change[^]*reload: .*no change/, 10_000);
    assert.equal(c.proc.exitCode, null, 'still running');
    assert.equal(c.proc.signalCode, null, 'still running');
    const hups = logLines(c).filter((l) => /^reload: /.test(l.msg));
    assert.equal(hups.length, 2);
    assert.equal(hups[0]?.reload, true);
    assert.match(hups[0]?.msg ?? '', /insecure-single\.yaml: no change/);
    assert.deepEqual(roleChanges(c), before, 'no role change after SIGHUP');

    c.proc.kill('SIGINT');
    const { code, signal } = await c.exit(10_000);
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, c.err());
    // Still master when the SIGINT came: it resigns from MASTER.
    const after = roleChanges(c).slice(before.length);
    assert.equal(after.length, 1, after.join('\n'));
    assert.match(after[0] ?? '', /^MASTER -> INITIALIZE \(shutdown\)/);
    assert.equal(logLines(c).at(-1)?.msg, 'stopped');
  } finally {
    c.proc.kill('SIGKILL');
  }
});

it('a second SIGTERM while the graceful shutdown hangs forces the exit with a non-zero code, and says so', async () => {
  const c = tsxChild('test/fixtures/cli/hanging-shutdown.ts', []);
  try {
    await c.waitFor(/"ready"/, 15_000);
    c.proc.kill('SIGTERM');
    await c.waitFor(/this shutdown never finishes/, 10_000);
    assert.equal(c.proc.exitCode, null, 'the first SIGTERM only starts the shutdown');
    c.proc.kill('SIGTERM');
    const { code } = await c.exit(10_000);
    assert.equal(code, 143, c.out() + c.err());
    const last = logLines(c).at(-1);
    assert.equal(last?.level, 50);
    assert.match(last?.msg ?? '', /second SIGTERM during shutdown: forcing exit/);
  } finally {
    c.proc.kill('SIGKILL');
  }
});

it('vipd run refuses TLS files that are not certificates, naming the file, with exit 2', async () => {
  const r = await vipdOnce(['run', '-c', 'test/fixtures/config/valid-minimal.yaml']);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.out, /cannot start: .*pki\/(ca|node-a)\.(crt|key)/);
});
