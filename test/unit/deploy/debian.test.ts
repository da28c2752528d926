/**
 * deploy/debian/build.sh: builds the .deb, and the package works once installed. It runs
 * `dpkg -i` on this machine, so only as root, with dpkg, and when asked to (CI, or
 * VIPD_DEB_TEST=1); it never replaces a vipd that is already here, and purges what it installed.
 *
 * Checked: the control fields and the file list; `vipd --version`, `vipctl --version` and `vipd
 * check` of the shipped example from PATH; the user and /etc/vipd that postinst makes; that the
 * installed tree finds what dist/ loads by path at run time (proto/ for gRPC, the dashboard, the
 * native addon); and, in a network namespace, that user vipd with only the unit's capabilities
 * binds a VIP and `vipd cleanup` removes it after a SIGKILL (what ExecStopPost does), while
 * cleanup without CAP_NET_ADMIN cannot; and, under strace, that every system call vipd makes is
 * in the unit's SystemCallFilter. About 80 s, most of it build.sh (tsc, npm ci --omit=dev, xz).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTopology, missingTools, netnsSkipReason, type Host, type Topology } from '../../netns/lib/index.js';
import { allowedCalls, ANALYZE, syscallGroups, tracedCalls } from './syscalls.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };
const DEB_VERSION = pkg.version.replace('-', '~');

/** Bounded, never throwing: how a command ended and what it printed. */
function sh(cmd: string, args: readonly string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeoutMs ?? 30_000, env: opts.env ?? process.env, input: opts.input, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, signal: r.signal, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}` };
}
const ok = (r: ReturnType<typeof sh>, what: string) => assert.equal(r.code, 0, `${what}: exit ${r.code} ${r.signal ?? ''}\n${r.out}\n${r.err}`);
const has = (cmd: string) => sh('sh', ['-c', `command -v ${cmd}`]).code === 0;

/** Why this machine must not run the test, or false. */
function skipReason(): string | false {
  if (!process.env.CI && process.env.VIPD_DEB_TEST !== '1') return 'installs a package on this machine: runs only with CI or VIPD_DEB_TEST=1 set';
  if (process.getuid?.() !== 0) return 'needs root (dpkg -i, adduser)';
  for (const tool of ['dpkg', 'dpkg-deb', 'npm', 'setpriv']) if (!has(tool)) return `${tool} is not installed`;
  if (sh('dpkg-query', ['-W', '-f=${Status}', 'vipd']).out.includes('installed')) return 'a vipd package is installed here; the test does not replace it';
  for (const p of ['/usr/bin/vipd', '/usr/bin/vipctl', '/usr/lib/vipd', '/etc/vipd']) if (existsSync(p)) return `${p} exists; the test does not overwrite it`;
  // The package's Depends: the node dpkg knows, and the one /usr/bin/vipd runs.
  const node = sh('dpkg-query', ['-W', '-f=${Version}', 'nodejs']);
  if (node.code !== 0 || sh('dpkg', ['--compare-versions', node.out, 'ge', '20']).code !== 0) return `Depends: nodejs (>= 20) is not met by a dpkg package here (${node.out || 'none'})`;
  if (!existsSync('/usr/bin/node')) return '/usr/bin/node (what /usr/bin/vipd runs) does not exist';
  return false;
}

/** Starts a program and collects what it prints; `waitFor` resolves when the output matches. */
function background(cmd: string, args: readonly string[]) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    async waitFor(re: RegExp, ms: number): Promise<RegExpExecArray> {
      const deadline = Date.now() + ms;
      for (;;) {
        const m = re.exec(output);
        if (m) return m;
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no ${re} within ${ms} ms (exit ${child.exitCode}):\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

const skip = skipReason();

describe('deploy/debian/build.sh: the .deb', { skip, timeout: 240_000 }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vipd-deb-test-'));
  const out = join(tmp, 'out');
  let deb = '';
  let installed = false;
  let madeUser = false;

  before(() => {
    madeUser = sh('getent', ['passwd', 'vipd']).code !== 0;
  });

  after(() => {
    if (installed) {
      const purge = sh('dpkg', ['--purge', 'vipd'], { timeoutMs: 60_000 });
      assert.equal(purge.code, 0, `dpkg --purge vipd: ${purge.err}`);
      assert.ok(!existsSync('/usr/lib/vipd') && !existsSync('/usr/bin/vipd'), 'purge left files');
    }
    // The package keeps its system user on purge, as Debian does; the test removes the one it caused.
    if (madeUser && sh('getent', ['passwd', 'vipd']).code === 0) sh('userdel', ['vipd']);
    if (madeUser && sh('getent', ['group', 'vipd']).code === 0) sh('groupdel', ['vipd']);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('build.sh builds vipd_<version>_<arch>.deb', () => {
    const arch = sh('dpkg', ['--print-architecture']).out.trim();
    // Reuse the checkout's install to compile (CI ran npm ci before the tests); the package's own
    // production modules come from npm ci --omit=dev, from npm's cache when it has them.
    const reuse = existsSync(join(root, 'node_modules/.bin/tsc')) ? ['--reuse-node-modules'] : [];
    const r = sh('bash', [join(root, 'deploy/debian/build.sh'), ...reuse, out], { timeoutMs: 180_000, env: { ...process.env, npm_config_prefer_offline: 'true' } });
    ok(r, 'build.sh');
    deb = r.out.trim().split('\n').at(-1) ?? '';
    assert.equal(deb, join(out, `vipd_${DEB_VERSION}_${arch}.deb`));
    assert.ok(statSync(deb).size > 1_000_000, 'a package with node_modules inside');
  });

  /** Later tests need the package (and, after the install test, the installed files). */
  const needDeb = () => assert.ok(deb, 'no package: build.sh failed (first test)');
  const needInstalled = () => assert.ok(installed && existsSync('/usr/bin/vipd'), 'not installed: dpkg -i failed or did not run');

  it('has the control fields and conffiles', () => {
    needDeb();
    const field = (name: string) => sh('dpkg-deb', ['-f', deb, name]).out.trim();
    assert.equal(field('Package'), 'vipd');
    assert.equal(field('Version'), DEB_VERSION);
    assert.equal(field('Architecture'), sh('dpkg', ['--print-architecture']).out.trim());
    const depends = field('Depends').split(',').map((d) => d.trim());
    for (const d of ['nodejs (>= 20)', 'iproute2', 'adduser']) assert.ok(depends.includes(d), `Depends has ${d}: ${depends.join(', ')}`);
    assert.ok(Number(field('Installed-Size')) > 10_000, 'Installed-Size in KiB');
    const control = join(tmp, 'control');
    ok(sh('dpkg-deb', ['-e', deb, control]), 'dpkg-deb -e');
    assert.equal(readFileSync(join(control, 'conffiles'), 'utf8'), '/etc/vipd/vipd.yaml.example\n');
    for (const s of ['postinst', 'prerm', 'postrm']) {
      assert.equal(statSync(join(control, s)).mode & 0o777, 0o755, s);
      ok(sh('sh', ['-n', join(control, s)]), `sh -n ${s}`);
      // Daemons start only where systemd runs (never in a chroot or a CI image).
      const text = readFileSync(join(control, s), 'utf8');
      for (const line of text.split('\n').filter((l) => !l.trim().startsWith('#') && /deb-systemd-invoke|systemctl (start|stop|restart|try-restart)/.test(l))) {
        assert.ok(text.slice(0, text.indexOf(line)).includes('[ -d /run/systemd/system ]'), `${s}: "${line.trim()}" is not behind [ -d /run/systemd/system ]`);
      }
    }
  });

  it('lays out /usr/lib/vipd with what dist/ reads at run time, and no dev dependency or TypeScript source', () => {
    needDeb();
    const r = sh('dpkg-deb', ['-c', deb]);
    ok(r, 'dpkg-deb -c');
    const entries = r.out.trim().split('\n').map((l) => {
      const [mode = '', owner = '', , , , path = ''] = l.split(/\s+/);
      return { mode, owner, path: path.replace(/^\./, '').replace(/\/$/, '') || '/' };
    });
    const paths = new Set(entries.map((e) => e.path));
    for (const p of [
      '/usr/bin/vipd', '/usr/bin/vipctl', '/lib/systemd/system/vipd.service', '/etc/vipd/vipd.yaml.example',
      '/usr/lib/vipd/package.json', '/usr/lib/vipd/dist/src/cli/vipd.js', '/usr/lib/vipd/dist/src/cli/vipctl.js',
      '/usr/lib/vipd/dist/providers/local/native-link.js', '/usr/lib/vipd/proto/vipd/v1/vipd.proto',
      '/usr/lib/vipd/src/api/dashboard/index.html', '/usr/lib/vipd/docs/vipd.schema.json',
      '/usr/lib/vipd/providers/local/native/build/Release/local_link.node', '/usr/lib/vipd/node_modules/raw-socket/build/Release/raw.node',
      ...Object.keys(pkg.dependencies).map((d) => `/usr/lib/vipd/node_modules/${d}/package.json`),
    ]) assert.ok(paths.has(p), `missing ${p}`);
    // The lock file marks what only dev dependencies need ("dev": true); @types/node, say, is
    // also protobufjs's and ships.
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.entries(lock.packages).filter(([, v]) => v.dev === true).map(([k]) => `/usr/lib/vipd/${k}`);
    assert.ok(devOnly.some((p) => p.endsWith('/node_modules/typescript')), 'the lock file marks typescript dev-only');
    assert.deepEqual(devOnly.filter((p) => paths.has(p)), [], 'dev-only packages are shipped');
    assert.deepEqual(entries.filter((e) => e.owner !== 'root/root').map((e) => e.path), [], 'owned by root');
    const files = entries.filter((e) => !e.mode.startsWith('d')).map((e) => e.path);
    const stray = files.filter((p) => (p.endsWith('.ts') && !p.includes('/node_modules/')) || (p.startsWith('/usr/lib/vipd/dist/') && p.endsWith('.map')) || /^\/usr\/lib\/vipd\/(test|bench|src\/(?!api\/dashboard\/))/.test(p));
    assert.deepEqual(stray, [], 'sources, tests and maps stay out');
    assert.equal(entries.find((e) => e.path === '/etc/vipd')?.mode, 'drwxr-x---');
    // The wrappers run the installed tree with the node the package depends on.
    const wrapper = sh('sh', ['-c', `dpkg-deb --fsys-tarfile "$1" | tar -xOf - ./usr/bin/vipd`, 'sh', deb]).out;
    assert.equal(wrapper, '#!/bin/sh\nexec /usr/bin/node /usr/lib/vipd/dist/src/cli/vipd.js "$@"\n');
  });

  it('installs; vipd and vipctl run from PATH and the shipped example passes vipd check', () => {
    needDeb();
    const r = sh('dpkg', ['-i', deb], { timeoutMs: 120_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    installed = true;
    ok(r, 'dpkg -i');
    const env = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: tmp, LANG: 'C' };
    const version = sh('vipd', ['--version'], { env });
    ok(version, 'vipd --version');
    assert.equal(version.out.trim(), pkg.version);
    assert.equal(sh('vipctl', ['--version'], { env }).out.trim(), pkg.version);
    const check = sh('vipd', ['check', '-c', '/etc/vipd/vipd.yaml.example'], { env });
    ok(check, 'vipd check');
    assert.match(check.out, /^ok: node node-a, 1 group/);
    // The installed unit is the repository's.
    assert.equal(readFileSync('/lib/systemd/system/vipd.service', 'utf8'), readFileSync(join(root, 'deploy/systemd/vipd.service'), 'utf8'));
  });

  it('postinst made the system user vipd and gave /etc/vipd to its group (0750 root:vipd)', () => {
    needInstalled();
    const [name, , uid, gid, , home, shell] = sh('getent', ['passwd', 'vipd']).out.trim().split(':');
    assert.equal(name, 'vipd');
    assert.ok(Number(uid) > 0 && Number(uid) < 1000, `a system uid: ${uid}`);
    assert.equal(home, '/nonexistent');
    assert.equal(shell, '/usr/sbin/nologin');
    assert.equal(sh('getent', ['group', 'vipd']).out.split(':')[2], gid);
    const st = statSync('/etc/vipd');
    assert.equal(st.mode & 0o7777, 0o750);
    assert.equal(st.uid, 0);
    assert.equal(String(st.gid), gid);
    // postinst again (as an upgrade runs it) finds both and changes nothing.
    ok(sh('/var/lib/dpkg/info/vipd.postinst', ['configure', DEB_VERSION], { timeoutMs: 60_000 }), 'postinst configure again');
    assert.equal(sh('getent', ['passwd', 'vipd']).out.split(':')[2], uid);
  });

  it('the installed tree finds proto/, the dashboard and the native addon: vipd run on loopback, GET /, vipctl status', async () => {
    needInstalled();
    const dir = join(tmp, 'run');
    sh('mkdir', ['-p', dir]);
    const file = join(dir, 'vipd.yaml');
    writeFileSync(file, [
      // A unicast group loads gRPC, which loads proto/vipd/v1/vipd.proto by path.
      'cluster_id: deb', 'node: { id: solo, listen: 127.0.0.1:0 }', 'insecure: true', 'log: { format: json }',
      `api: { socket: ${join(dir, 'vipd.sock')}, http: { listen: 127.0.0.1:0 } }`,
      'groups:', '  - { name: web, vrid: 51, interface: lo, vips: [192.0.2.50/32], transport: unicast, quorum: none }', '',
    ].join('\n'));
    const agent = background('/usr/bin/vipd', ['run', '-c', file]);
    try {
      const port = Number((await agent.waitFor(/api: http on 127\.0\.0\.1:(\d+)/, 20_000))[1]);
      await agent.waitFor(/serving peers on/, 20_000);
      const get = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
        return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
      };
      const index = await get('/');
      assert.equal(index.status, 200);
      assert.match(index.type, /text\/html/);
      assert.equal(index.body, readFileSync(join(root, 'src/api/dashboard/index.html'), 'utf8'));
      assert.equal((await get('/dashboard/app.js')).status, 200);
      assert.equal((await get('/healthz')).status, 200);
      const status = sh('/usr/bin/vipctl', ['--socket', join(dir, 'vipd.sock'), 'status', '--json']);
      ok(status, 'vipctl status');
      assert.equal((JSON.parse(status.out) as { node: { version: string } }).node.version, pkg.version);
    } finally {
      agent.child.kill('SIGTERM');
      await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 10_000))]);
      await agent.stop();
    }
    // The addon is found from dist/providers/local at ../../../providers/local/native/build.
    const addon = sh('/usr/bin/node', ['--input-type=module', '-e', "const m = await import('/usr/lib/vipd/dist/providers/local/native-link.js'); console.log(JSON.stringify(Object.keys(m.loadLinkAddon())))"]);
    ok(addon, 'load the addon');
    assert.equal(addon.out.trim(), '["addon"]');
  });

  /**
   * What User=, Group=, AmbientCapabilities=, CapabilityBoundingSet= and NoNewPrivileges= of the
   * installed unit give ExecStart and ExecStopPost, done with setpriv: the argv prefix.
   */
  function asUnitUser(capSet: string): string[] {
    return ['setpriv', '--reuid=vipd', '--regid=vipd', '--init-groups', '--no-new-privs',
      `--inh-caps=-all${capSet}`, `--ambient-caps=-all${capSet}`, `--bounding-set=-all${capSet}`, '--'];
  }
  const unitCaps = () => {
    const unit = readFileSync('/lib/systemd/system/vipd.service', 'utf8');
    return `,${(/^AmbientCapabilities=(.*)$/m.exec(unit)?.[1] ?? '').trim().split(/\s+/).map((c) => `+${c.replace(/^CAP_/, '').toLowerCase()}`).join(',')}`;
  };

  /** A namespace with one interface and a LAN group's file in /etc/vipd, as an admin's `cp` leaves it (0644 root:root). */
  async function withLanNode(fn: (h: Host, file: string, bound: () => Promise<boolean>) => Promise<void>): Promise<void> {
    let topo: Topology | undefined;
    const file = `/etc/vipd/deb-test-${process.pid}.yaml`;
    try {
      topo = await createTopology({ hosts: ['a'], ipv6: false });
      const h = topo.host('a');
      writeFileSync(file, [
        'cluster_id: deb', 'node: { id: node-a }', 'log: { format: json }', 'api: { socket: false, http: { listen: false } }',
        'groups:', '  - name: web', '    vrid: 51', `    interface: ${h.ifname}`, '    priority: 150', '    vips: [192.0.2.50/24]',
        '    provider: { type: local, garp_master_delay: 0s }', '',
      ].join('\n'), { mode: 0o644 });
      await fn(h, file, async () => (await h.addresses()).some((a) => a.address === '192.0.2.50'));
    } finally {
      rmSync(file, { force: true });
      await topo?.destroy();
    }
  }

  async function untilBound(bound: () => Promise<boolean>, agent: ReturnType<typeof background>): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await bound())) {
      assert.ok(Date.now() < deadline && agent.child.exitCode === null, `no VIP within 20 s:\n${agent.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('as user vipd with only the unit\'s capabilities: binds a VIP, and after SIGKILL vipd cleanup removes it (not without CAP_NET_ADMIN)', async (t) => {
    const why = (await netnsSkipReason()) ?? (await missingTools(['ip']));
    if (why) return t.skip(why);
    needInstalled();
    const caps = unitCaps();
    assert.equal(caps, ',+net_admin,+net_raw');
    await withLanNode(async (h, file, bound) => {
      const agent = background('ip', ['netns', 'exec', h.ns, ...asUnitUser(caps), '/usr/bin/vipd', 'run', '-c', file]);
      try {
        await untilBound(bound, agent);
        assert.doesNotMatch(agent.output(), /native link part is unavailable/, 'the native path, not the tools');
      } finally {
        await agent.stop();
      }
      assert.equal(await bound(), true, 'SIGKILL leaves the VIP bound');

      const cleanup = (capSet: string) => sh('ip', ['netns', 'exec', h.ns, ...asUnitUser(capSet), '/usr/bin/vipd', 'cleanup', '-c', file]);
      const without = cleanup(',+net_raw');
      assert.equal(without.code, 1, `cleanup without CAP_NET_ADMIN: ${without.out}${without.err}`);
      assert.match(without.err, /CAP_NET_ADMIN/);
      assert.equal(await bound(), true);
      const withCaps = cleanup(caps);
      ok(withCaps, 'cleanup as vipd with the unit\'s capabilities');
      assert.match(withCaps.out, new RegExp(`^web: removed 192\\.0\\.2\\.50/24 from ${h.ifname}$`, 'm'));
      assert.equal(await bound(), false);
    });
  });

  it('every system call the installed vipd makes (run: takeover, SIGTERM; cleanup) is allowed by the unit\'s SystemCallFilter', async (t) => {
    const why = (await netnsSkipReason()) ?? (await missingTools(['ip', 'strace'])) ?? (existsSync(ANALYZE) ? undefined : `${ANALYZE} is not installed`);
    if (why) return t.skip(why);
    needInstalled();
    const unit = readFileSync('/lib/systemd/system/vipd.service', 'utf8');
    const filter = (/^SystemCallFilter=(.*)$/m.exec(unit)?.[1] ?? '').trim().split(/\s+/);
    const allowed = allowedCalls(syscallGroups(), filter);
    assert.ok(allowed.size > 300, `${filter.join(' ')}: ${allowed.size} calls`);
    const caps = unitCaps();
    const trace = join(tmp, 'run.strace');
    // Only what runs from /usr/bin/vipd on counts: setpriv's own calls are systemd's work there.
    const fromVipd = /execve\("\/usr\/bin\/vipd"/;
    await withLanNode(async (h, file, bound) => {
      const agent = background('ip', ['netns', 'exec', h.ns, 'strace', '-f', '-qq', '-o', trace, ...asUnitUser(caps), '/usr/bin/vipd', 'run', '-c', file]);
      try {
        await untilBound(bound, agent);
        // Let the announcements and the conflict probe run, then stop it as systemd does.
        await new Promise((r) => setTimeout(r, 1_500));
        const pid = Number(/^(\d+)\s+execve\("\/usr\/bin\/vipd"/m.exec(readFileSync(trace, 'utf8'))?.[1]);
        assert.ok(pid > 0, 'the traced vipd\'s pid');
        process.kill(pid, 'SIGTERM');
        await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 15_000))]);
        assert.equal(agent.child.exitCode, 0, `vipd under strace did not stop on SIGTERM:\n${agent.output()}`);
      } finally {
        await agent.stop();
      }
      assert.equal(await bound(), false, 'a graceful stop releases the VIP');
      const runCalls = tracedCalls(readFileSync(trace, 'utf8'), fromVipd);
      const cleanupTrace = join(tmp, 'cleanup.strace');
      ok(sh('ip', ['netns', 'exec', h.ns, 'strace', '-f', '-qq', '-o', cleanupTrace, ...asUnitUser(caps), '/usr/bin/vipd', 'cleanup', '-c', file]), 'cleanup under strace');
      const calls = new Set([...runCalls, ...tracedCalls(readFileSync(cleanupTrace, 'utf8'), fromVipd)]);
      assert.ok(['socket', 'sendto', 'setsockopt', 'execve'].every((c) => calls.has(c)), `the trace saw vipd work: ${[...calls].join(' ')}`);
      console.log(`vipd made ${calls.size} distinct system calls; outside ${filter.join(' ')}: ${[...calls].filter((c) => !allowed.has(c)).join(' ') || 'none'}`);
      assert.deepEqual([...calls].filter((c) => !allowed.has(c)).sort(), [], `calls outside SystemCallFilter=${filter.join(' ')}`);
    });
  });
});
