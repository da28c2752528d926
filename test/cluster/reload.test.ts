/**
 * The hitless reload of groups (src/app/reload.ts, docs/api.md "Reload") on three real `vipd run`
 * processes with two unicast groups, web and db, both mastered by c. Reloads that change db and
 * rotate the advert key (k3 learnt, then signed with) leave web alone: its master c keeps its
 * role and its VIP (no role change of web anywhere, no release of web's VIP), while db is
 * restarted in place and ends on c again; a reload that adds a group starts it and one that
 * removes it stops it; an invalid file changes nothing; a renewed certificate rotates in place
 * (new handshakes get it, a restarted peer accepts it) and a wrong one is refused.
 */
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { call, callJson } from '../../src/api/client.js';
import type { ReloadResult, StatusView } from '../../src/api/control.js';
import { LocalCluster, type LogEntry, type ProcSpec } from '../../src/cli/local-cluster.js';
import { issueNodeCert } from '../../src/security/certs.js';

const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
const ids = ['a', 'b', 'c'];
const priority = (i: number) => 100 + 50 * i;

/** A second unicast group after web (LocalCluster writes web last, so these lines continue `groups:`). */
const groupLines = (name: string, vrid: number, vip: string, id: string, prio: number, extra: string[] = []) => [
  `  - name: ${name}`, `    vrid: ${vrid}`, '    interface: lo', `    priority: ${prio}`, '    advert_interval: 100ms',
  `    vips: [${vip}]`, `    peers: [${ids.filter((x) => x !== id).join(', ')}]`, '    quorum: majority', '    provider: { type: noop }', ...extra,
];

describe('reload: groups change in place, the others keep their master', () => {
  const specs: ProcSpec[] = ids.map((id, i) => ({
    id, priority: priority(i), peers: ids.filter((x) => x !== id), quorum: 'majority',
    group: { lines: ['    provider: { type: noop }', ...groupLines('db', 52, '192.0.2.51/32', id, priority(i))] },
  }));
  const c = new LocalCluster(specs, 'reloadtest', VIPD);
  const status = (id: string) => callJson<StatusView>({ socket: c.socketFile(id) }, 'GET', '/v1/status');
  /** POST /v1/reload: 200 with the plan when applied, 400 with the lines when refused. */
  const reload = async (id: string) => JSON.parse((await call({ socket: c.socketFile(id) }, 'POST', '/v1/reload')).body) as ReloadResult;
  const roleOf = (s: StatusView, g: string) => s.groups.find((x) => x.name === g);
  const webEvents = (since: number) => c.logs.filter((e: LogEntry) => e.t >= since && e.group === 'web' && (/^[A-Z]+ -> [A-Z]+ \(/.test(e.msg) || /would unbind 192\.0\.2\.50/.test(e.msg)));
  const edit = async (id: string, fn: (text: string) => string) => {
    const f = c.configFile(id);
    await writeFile(f, fn(await readFile(f, 'utf8')));
  };
  const everywhere = async (fn: (text: string) => string) => {
    for (const id of ids) await edit(id, fn);
  };
  const settled = async (what: string) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const s = await status('c');
      if (roleOf(s, 'web')?.role === 'Master' && roleOf(s, 'db')?.role === 'Master') return;
      if (Date.now() > end) assert.fail(`${what}: c is not master of both: ${JSON.stringify(s.groups.map((g) => [g.name, g.role]))}\n${c.tail(30)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  before(async () => {
    await c.prepare();
    await writeFile(join(c.dir, 'k3.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    c.startAll();
    await c.until(() => c.masters().join() === 'c' && ids.every((id) => c.apiUrl(id)), 20_000, 'c master of web, every API up');
    await settled('at start');
    // Every node past its startup hold in both groups, so that what follows is the reloads' doing.
    const end = Date.now() + 20_000;
    while (!(await Promise.all(ids.map(status))).every((st) => st.groups.every((g) => g.role === 'Master' || g.role === 'Backup'))) {
      if (Date.now() > end) assert.fail(`the groups never left Initialize: ${c.tail(30)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(() => c.destroy());

  it('changes db and rotates the advert key while web keeps its master and its VIP', async () => {
    const t = Date.now();
    // 1: learn k3 and change db's advert interval, on every node.
    await everywhere((s) => s.replace('  keys: [{ id: k1, secret_file: k1.key }]', '  keys: [{ id: k1, secret_file: k1.key }, { id: k3, secret_file: k3.key }]')
      .replace(/( {2}- name: db\n(?: {4}.*\n)*?) {4}advert_interval: 100ms/, '$1    advert_interval: 200ms'));
    for (const id of ids) {
      const r = await reload(id);
      assert.equal(r.ok, true, `${id}: ${r.lines.join('\n')}`);
      const text = r.lines.join('\n');
      assert.match(text, /advert keys: .*keys \[k1\] -> .*keys \[k1, k3\] \(rotated in place\)/);
      assert.match(text, /group db changed: advertIntervalCs: restarted in place/);
      assert.match(text, /applied; untouched: web/);
      assert.doesNotMatch(text, /group web/);
    }
    await settled('after the first reload');
    // 2: sign with k3, and change db again (its priority on every node, c still the highest).
    await everywhere((s) => s.replace('  active_key: k1', '  active_key: k3')
      .replace(/( {2}- name: db\n(?: {4}.*\n)*?) {4}priority: (\d+)/, (_m, head: string, p: string) => `${head}    priority: ${Number(p) + 1}`));
    for (const id of ids) {
      const r = await reload(id);
      assert.equal(r.ok, true, `${id}: ${r.lines.join('\n')}`);
      assert.match(r.lines.join('\n'), /active k1.* -> .*active k3/);
    }
    await settled('after the second reload');
    const s = await status('c');
    assert.equal(roleOf(s, 'db')?.basePriority, 201, 'db runs with its new priority');
    assert.equal(roleOf(s, 'web')?.basePriority, 200);
    // web: no role change on any node, and c never released its VIP.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(webEvents(t).map((e) => `${e.node}: ${e.msg}`), []);
    assert.equal(c.masters().join(), 'c');
  });

  it('adds a group and removes it; an invalid file changes nothing', async () => {
    const t = Date.now();
    const cache = (id: string) => groupLines('cache', 53, '192.0.2.52/32', id, priority(ids.indexOf(id))).join('\n');
    for (const id of ids) await edit(id, (s) => `${s.trimEnd()}\n${cache(id)}\n`);
    for (const id of ids) {
      const r = await reload(id);
      assert.equal(r.ok, true, r.lines.join('\n'));
      assert.match(r.lines.join('\n'), /group cache added: started/);
    }
    const end = Date.now() + 20_000;
    while (roleOf(await status('c'), 'cache')?.role !== 'Master') {
      if (Date.now() > end) assert.fail(`cache never got a master on c: ${c.tail(30)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Invalid: refused with the error, the three groups run on.
    const f = c.configFile('c');
    const good = await readFile(f, 'utf8');
    await writeFile(f, good.replace('    vrid: 53', '    vrid: 700'));
    const bad = await reload('c');
    assert.equal(bad.ok, false);
    assert.match(bad.lines.join('\n'), /vrid.*700/);
    assert.deepEqual((await status('c')).groups.map((g) => `${g.name}=${g.role}`), ['web=Master', 'db=Master', 'cache=Master']);
    await writeFile(f, good);
    // Removed: stopped (c hands it off, then the others drop it too).
    for (const id of ids) await edit(id, (s) => s.replace(`\n${cache(id)}\n`, '\n'));
    for (const id of ['c', 'b', 'a']) {
      const r = await reload(id);
      assert.equal(r.ok, true, r.lines.join('\n'));
      assert.match(r.lines.join('\n'), /group cache removed: stopped/);
    }
    assert.deepEqual((await status('c')).groups.map((g) => g.name), ['web', 'db']);
    assert.deepEqual(webEvents(t).map((e) => `${e.node}: ${e.msg}`), [], 'web untouched throughout');
  });

  it('rotates a renewed certificate in place; a wrong one is refused and the old one stays', async () => {
    const t = Date.now();
    const certFile = join(c.dir, 'c.crt');
    const serial = async () => new X509Certificate(await readFile(certFile)).serialNumber;
    /** The certificate c's gRPC listener presents to a new handshake now. */
    const presented = async () => {
      const port = Number(/listen: 127\.0\.0\.1:(\d+)/.exec(await readFile(c.configFile('c'), 'utf8'))?.[1]);
      const [ca, cert, key] = await Promise.all(['ca.crt', 'a.crt', 'a.key'].map((f) => readFile(join(c.dir, f))));
      return new Promise<string>((resolve, reject) => {
        const sock = connect({ host: '127.0.0.1', port, ca, cert, key, ALPNProtocols: ['h2'], checkServerIdentity: () => undefined }, () => {
          resolve(sock.getPeerCertificate().serialNumber);
          sock.destroy();
        });
        sock.setTimeout(5000, () => sock.destroy(new Error('TLS handshake timed out')));
        sock.once('error', reject);
      });
    };
    const before = await serial();
    assert.equal((await presented()).toLowerCase(), before.toLowerCase());
    await issueNodeCert({ dir: c.dir, nodeId: 'c', sans: ['127.0.0.1'], days: 30 });
    const after = await serial();
    assert.notEqual(after, before);
    const r = await reload('c');
    assert.equal(r.ok, true, r.lines.join('\n'));
    assert.match(r.lines.join('\n'), new RegExp(`certificates: serial ${before} until .* -> serial ${after} until .*rotated in place`));
    assert.equal((await presented()).toLowerCase(), after.toLowerCase(), 'a new handshake gets the renewed certificate');
    // b, restarted, dials c and accepts the renewed certificate: it is a member again.
    c.signal('b', 'SIGTERM');
    await c.exited('b', 15_000);
    c.start('b');
    const end = Date.now() + 20_000;
    while ((await status('c')).members.find((m) => m.id === 'b')?.state !== 'alive' || !(await status('b').catch(() => undefined))?.ready) {
      if (Date.now() > end) assert.fail(`b did not rejoin c after the rotation: ${c.tail(40)}`);
      await new Promise((res) => setTimeout(res, 200));
    }
    // A certificate that is not c's (a's): refused, naming the file; c keeps presenting its own.
    const good = await readFile(certFile);
    try {
      await writeFile(certFile, await readFile(join(c.dir, 'a.crt')));
      const bad = await reload('c');
      assert.equal(bad.ok, false);
      assert.match(bad.lines.join('\n'), /refused: certificates: .*c\.(crt|key)/);
      assert.equal((await presented()).toLowerCase(), after.toLowerCase());
    } finally {
      await writeFile(certFile, good);
    }
    assert.equal(c.masters().join(), 'c');
    assert.deepEqual(webEvents(t).filter((e) => e.node === 'c').map((e) => `${e.node}: ${e.msg}`), [], 'c kept web throughout');
  });
});
