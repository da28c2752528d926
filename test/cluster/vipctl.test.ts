/**
 * vipctl against three real `vipd run` processes (docs/api.md): status as a table and as JSON,
 * members, maintenance, the errors when no agent answers, and the hitless reload: advert keys
 * rotate on every node in two reloads while the master keeps its role, an invalid file is
 * refused with its error, and a file with a change that needs a restart is refused with nothing
 * applied, not even the group change it also makes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalCluster, type ProcSpec } from '../../src/cli/local-cluster.js';
import type { StatusView } from '../../src/api/control.js';

const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
const VIPCTL = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipctl.ts', import.meta.url))];
const ids = ['a', 'b', 'c'];

function vipctl(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...VIPCTL, ...args]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.once('error', reject);
    p.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('vipctl and the hitless reload', () => {
  const specs: ProcSpec[] = ids.map((id, i) => ({ id, priority: 100 + 50 * i, peers: ids.filter((x) => x !== id), quorum: 'majority', group: { lines: ['    provider: { type: noop }'] } }));
  const c = new LocalCluster(specs, 'vipctltest', VIPD);
  const sock = (id: string) => ['--socket', c.socketFile(id)];
  const masterChanges = (since: number) => c.logs.filter((e) => e.t >= since && /^[A-Z]+ -> [A-Z]+ \(/.test(e.msg));

  before(async () => {
    await c.prepare();
    c.startAll();
    await c.until(() => c.masters().join() === 'c' && ids.every((id) => c.apiUrl(id)), 20_000, 'c master, every API up');
  });
  after(() => c.destroy());

  it('status prints the groups table, and --json the API\'s status', async () => {
    const r = await vipctl(['status', ...sock('c')]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^node c \(member, vipd [^)]+\), up \d+s, ready/);
    assert.match(r.out, /GROUP\s+ROLE\s+MASTER\s+PRIORITY\s+TERM\s+VIPS/);
    assert.match(r.out, /\nweb\s+MASTER\s+c\s+200\s+\d+\s+192\.0\.2\.50\/32/);
    const j = await vipctl(['status', '--json', ...sock('b')]);
    const s = JSON.parse(j.out) as StatusView;
    assert.equal(s.groups[0]?.master, 'c');
    const m = await vipctl(['members', ...sock('b')]);
    assert.match(m.out, /\na\s+alive/);
    assert.match(m.out, /\nc\s+alive/);
  });

  it('says clearly when no agent answers, with exit code 2', async () => {
    const r = await vipctl(['status', '--socket', join(c.dir, 'nobody.sock')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^vipctl: no vipd agent at .*nobody\.sock: the socket does not exist/);
    const bad = await vipctl(['maintenance', 'maybe', 'web', ...sock('c')]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /on or off/);
    const unknown = await vipctl(['maintenance', 'on', 'nope', ...sock('c')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /404: no group "nope"/);
  });

  it('rotates the advert keys on every node without a role change, in two reloads', async () => {
    await writeFile(join(c.dir, 'k2.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    const t = Date.now();
    const edit = async (from: string, to: string) => {
      for (const id of ids) {
        const f = c.configFile(id);
        const text = await readFile(f, 'utf8');
        assert.ok(text.includes(from), `${f} has ${from}`);
        await writeFile(f, text.replace(from, to));
      }
    };
    // 1: every node learns k2 (still signing with k1); 2: every node signs with k2.
    await edit('  keys: [{ id: k1, secret_file: k1.key }]', '  keys: [{ id: k1, secret_file: k1.key }, { id: k2, secret_file: k2.key }]');
    for (const id of ids) {
      const r = await vipctl(['reload', ...sock(id)]);
      assert.equal(r.code, 0, `${id}: ${r.out}${r.err}`);
      assert.match(r.out, /advert keys: mode enforce, active k1, keys \[k1\] -> mode enforce, active k1, keys \[k1, k2\] \(rotated in place\)/);
      assert.match(r.out, /applied; untouched: web/);
    }
    await edit('  active_key: k1', '  active_key: k2');
    for (const id of ids) {
      // The other way, SIGHUP (systemctl reload): the log says what was applied.
      c.signal(id, 'SIGHUP');
      await c.until(() => c.logs.some((e) => e.node === id && e.t >= t && /reload: advert keys: .*active k1.* -> .*active k2/.test(e.msg)), 10_000, `${id} reloaded on SIGHUP`);
    }
    // 3: k1 retired. A node still signing with k1 would now be refused (enforce) everywhere.
    await edit('  keys: [{ id: k1, secret_file: k1.key }, { id: k2, secret_file: k2.key }]', '  keys: [{ id: k2, secret_file: k2.key }]');
    for (const id of ids) assert.equal((await vipctl(['reload', ...sock(id)])).code, 0);
    // Adverts signed with k2 are accepted everywhere: c stays master, nobody changed role.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(c.masters().join(), 'c');
    assert.deepEqual(masterChanges(t).map((e) => `${e.node} ${e.msg}`), []);
    const metrics = await (await fetch(`${c.apiUrl('b')}/metrics`)).text();
    assert.doesNotMatch(metrics, /vipd_adverts_dropped_total\{[^}]*reason="signature/);
    assert.match(metrics, /vipd_advert_signatures_total\{verdict="valid"\} [1-9]/);
    assert.doesNotMatch(metrics, /vipd_advert_signatures_total\{verdict="unknown-key"\} [1-9]/);
  });

  it('refuses an invalid file and a change that needs a restart, changing nothing', async () => {
    const t = Date.now();
    const f = c.configFile('c');
    const good = await readFile(f, 'utf8');
    try {
      await writeFile(f, good.replace('    priority: 200', '    priority: 900'));
      const bad = await vipctl(['reload', ...sock('c')]);
      assert.equal(bad.code, 1);
      assert.match(bad.out, /groups\[0\]\.priority.*1-255.*900/);
      assert.match(bad.out, /refused: 1 error\(s\) in .*c\.yaml; nothing changed/);
      // A group change applies in place (test/cluster/reload.test.ts); with the log settings
      // changed in the same file, nothing is applied.
      await writeFile(f, good.replace('    priority: 200', '    priority: 120').replace('log: { level: info, format: json }', 'log: { level: debug, format: json }'));
      const restart = await vipctl(['reload', ...sock('c')]);
      assert.equal(restart.code, 1);
      assert.match(restart.out, /group web changed: priority: restarted in place/);
      assert.match(restart.out, /log changed: needs a restart/);
      assert.match(restart.out, /refused: 1 change\(s\) need a restart; nothing changed/);
      const s = JSON.parse((await vipctl(['status', '--json', ...sock('c')])).out) as StatusView;
      assert.equal(s.groups[0]?.priority, 200, 'the running priority stays');
      assert.equal(c.masters().join(), 'c');
      assert.deepEqual(masterChanges(t).map((e) => `${e.node} ${e.msg}`), []);
    } finally {
      await writeFile(f, good);
    }
  });
});
