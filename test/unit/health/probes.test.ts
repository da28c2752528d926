/**
 * The health-check probes against real things on this machine (src/adapters/health): a real
 * child process (exit status, a hang killed with its children at the timeout), a TCP listener
 * and an HTTP server on loopback, a file, /proc and /sys.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ExecProbe } from '../../../src/adapters/health/exec-probe.js';
import { FileProbe } from '../../../src/adapters/health/file-probe.js';
import { HttpProbe } from '../../../src/adapters/health/http-probe.js';
import { InterfaceProbe } from '../../../src/adapters/health/interface-probe.js';
import { ProcessProbe } from '../../../src/adapters/health/process-probe.js';
import { TcpProbe } from '../../../src/adapters/health/tcp-probe.js';

const live = new AbortController().signal;
const node = (code: string): [string, ...string[]] => [process.execPath, '-e', code];
const listening = async (s: Server | ReturnType<typeof createTcp>): Promise<number> => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const a = s.address();
  return typeof a === 'object' && a ? a.port : 0;
};
/** Running, not a zombie waiting for whoever adopted it to reap it. */
async function alive(pid: number): Promise<boolean> {
  const stat = await import('node:fs/promises').then((f) => f.readFile(`/proc/${pid}/stat`, 'utf8')).catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

describe('health probes', () => {
  const servers: Array<{ close(): void }> = [];
  after(() => servers.forEach((s) => s.close()));

  it('exec: exit 0 passes, anything else fails with its status and last output line; a missing program fails', async () => {
    assert.deepEqual(await new ExecProbe(node('process.exit(0)')).run(live), { ok: true, detail: 'exit 0' });
    assert.deepEqual(await new ExecProbe(node('console.error("db down"); process.exit(3)')).run(live), { ok: false, detail: 'exit 3: db down' });
    const missing = await new ExecProbe(['/nonexistent/vipd-check']).run(live);
    assert.equal(missing.ok, false);
    assert.match(missing.detail, /could not run \/nonexistent\/vipd-check: .*ENOENT/);
  });

  it('exec: an abort (the timeout) kills the whole process group, grandchildren too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vipd-exec-'));
    const pidFile = join(dir, 'child.pid');
    // The check starts a grandchild that would outlive it, writes its pid, and hangs.
    const code = `const c = require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000);`;
    const ac = new AbortController();
    const run = new ExecProbe(node(code)).run(ac.signal);
    let grandchild = 0;
    for (let i = 0; i < 100 && grandchild === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      grandchild = Number(await import('node:fs/promises').then((f) => f.readFile(pidFile, 'utf8')).catch(() => '0'));
    }
    assert.ok(grandchild > 0, 'the grandchild started');
    ac.abort(new Error('timed out after 300 ms'));
    const r = await run;
    assert.deepEqual(r, { ok: false, detail: 'killed by SIGKILL' });
    for (let i = 0; i < 50 && (await alive(grandchild)); i++) await new Promise((res) => setTimeout(res, 20));
    assert.equal(await alive(grandchild), false, 'the grandchild was killed with the group');
  });

  it('tcp: a listener passes, a closed port fails with the error code', async () => {
    const s = createTcp((c) => c.destroy());
    servers.push(s);
    const port = await listening(s);
    assert.equal((await new TcpProbe('127.0.0.1', port).run(live)).ok, true);
    s.close();
    const r = await new TcpProbe('127.0.0.1', port).run(live);
    assert.deepEqual(r, { ok: false, detail: `127.0.0.1:${port}: ECONNREFUSED` });
  });

  it('http: expected statuses (default 2xx), a body pattern, no redirects followed', async () => {
    const s = createHttp((req, res) => {
      if (req.url === '/ok') res.end('{"status":"ready"}');
      else if (req.url === '/moved') res.writeHead(302, { location: '/ok' }).end();
      else res.writeHead(503).end('starting');
    });
    servers.push(s);
    const base = `http://127.0.0.1:${await listening(s)}`;
    assert.deepEqual(await new HttpProbe({ url: `${base}/ok` }).run(live), { ok: true, detail: 'HTTP 200' });
    assert.deepEqual(await new HttpProbe({ url: `${base}/down` }).run(live), { ok: false, detail: 'HTTP 503' });
    assert.deepEqual(await new HttpProbe({ url: `${base}/down`, expectStatus: [503] }).run(live), { ok: true, detail: 'HTTP 503' });
    assert.deepEqual(await new HttpProbe({ url: `${base}/moved` }).run(live), { ok: false, detail: 'HTTP 302' });
    assert.equal((await new HttpProbe({ url: `${base}/ok`, bodyMatch: /"ready"/ }).run(live)).ok, true);
    assert.deepEqual(await new HttpProbe({ url: `${base}/ok`, bodyMatch: /"live"/ }).run(live), { ok: false, detail: 'HTTP 200, body does not match /"live"/' });
    s.close();
    assert.match((await new HttpProbe({ url: `${base}/ok` }).run(live)).detail, /ECONNREFUSED/);
  });

  it('file: one integer in -254..254 is the value; anything else, or no file, fails', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vipd-file-'));
    const f = join(dir, 'weight');
    await writeFile(f, ' -40\n');
    assert.deepEqual(await new FileProbe(f).run(live), { ok: true, detail: 'read -40', value: -40 });
    await writeFile(f, '300');
    assert.equal((await new FileProbe(f).run(live)).ok, false);
    await writeFile(f, '0x10');
    assert.match((await new FileProbe(f).run(live)).detail, /not an integer in -254\.\.254/);
    assert.match((await new FileProbe(join(dir, 'none')).run(live)).detail, /ENOENT$/);
  });

  it('process: finds a running process by name (and command-line text); an absent one fails', async () => {
    const comm = (await import('node:fs/promises').then((f) => f.readFile(`/proc/${process.pid}/comm`, 'utf8'))).trim();
    assert.equal((await new ProcessProbe(comm).run(live)).ok, true);
    assert.equal((await new ProcessProbe(comm, 'probes.test').run(live)).ok, true);
    assert.deepEqual(await new ProcessProbe('vipd-no-such-proc').run(live), { ok: false, detail: 'no process vipd-no-such-proc' });
  });

  it('interface: loopback is up; an absent interface fails', async () => {
    assert.equal((await new InterfaceProbe('lo').run(live)).ok, true);
    assert.deepEqual(await new InterfaceProbe('vipd-none0').run(live), { ok: false, detail: 'no interface vipd-none0' });
  });
});
