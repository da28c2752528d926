/**
 * deploy/systemd/vipd.service: systemd itself accepts it (`systemd-analyze verify`, with every
 * warning counted as a failure), its sandbox stays as tight as measured (`systemd-analyze security
 * --offline=true`), and the settings vipd depends on are there (deploy/systemd/README.md says why
 * each one). Skipped, with the reason, where systemd-analyze is not installed (Debian: `systemd`).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEFAULT_API_SOCKET } from '../../../src/config/api-schema.js';
import { allowedCalls, ANALYZE, syscallGroups, tracedCalls } from './syscalls.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const UNIT = join(root, 'deploy/systemd/vipd.service');
const text = readFileSync(UNIT, 'utf8');
const noAnalyze = existsSync(ANALYZE) ? false : `${ANALYZE} is not installed (Debian package systemd)`;

/**
 * `systemd-analyze security` of this unit, measured on Debian 12 (systemd 252): 2.2. Each of
 * NoNewPrivileges, ProtectSystem, ProtectHome, PrivateTmp, ProtectKernelTunables and
 * RestrictAddressFamilies dropped alone raises it to 2.4 (SystemCallFilter to 3.6,
 * CapabilityBoundingSet to 3.7), so a loosened sandbox fails here.
 */
const MAX_EXPOSURE = 2.3;

/** Every key's values per section, in order (a key may repeat, as ExecStartPre or a list key can). */
function parseUnit(source: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const [i, raw] of source.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    // Continuation lines would need joining; the unit has none, and the parser refuses them.
    assert.ok(!line.endsWith('\\'), `line ${i + 1}: continuation lines are not parsed here`);
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section?.[1]) {
      current = new Map();
      sections.set(section[1], current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(kv?.[1] !== undefined && kv[2] !== undefined && current, `line ${i + 1} is not key=value inside a section: ${line}`);
    current.set(kv[1], [...(current.get(kv[1]) ?? []), kv[2].trim()]);
  }
  return sections;
}

const unit = parseUnit(text);
const service = unit.get('Service') ?? new Map<string, string[]>();

/** The one value of a key (assigned once), or undefined when absent. */
function one(section: Map<string, string[]> | undefined, key: string): string | undefined {
  const v = section?.get(key);
  if (v === undefined) return undefined;
  assert.equal(v.length, 1, `${key} is set ${v.length} times`);
  return v[0];
}
const words = (key: string): Set<string> => new Set((service.get(key) ?? []).flatMap((v) => v.split(/\s+/)).filter(Boolean));

/** Does vipd speak sd_notify (READY=1 on $NOTIFY_SOCKET)? Then the unit must say Type=notify. */
function sourcesMention(needle: string): boolean {
  const walk = (dir: string): boolean => readdirSync(dir).some((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name !== 'node_modules' && walk(p);
    return p.endsWith('.ts') && readFileSync(p, 'utf8').includes(needle);
  });
  return walk(join(root, 'src')) || walk(join(root, 'providers'));
}

const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });


describe('deploy/systemd/vipd.service', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vipd-systemd-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('the parser reads sections and repeated keys, and refuses a line outside key=value (so the checks below can fail)', () => {
    const p = parseUnit('# c\n[Service]\nA=1\nA=2 3\n[Install]\nB=x\n');
    assert.deepEqual(p.get('Service')?.get('A'), ['1', '2 3']);
    assert.equal(one(p.get('Install'), 'B'), 'x');
    assert.throws(() => parseUnit('[Service]\nnot a setting\n'), /not key=value/);
    assert.throws(() => one(p.get('Service'), 'A'), /set 2 times/);
  });

  it('runs vipd as user vipd, reloads with SIGHUP, cleans up after every stop, restarts on failure', () => {
    assert.equal(one(service, 'ExecStart'), '/usr/bin/vipd run -c /etc/vipd/vipd.yaml');
    // vipd re-reads its file on SIGHUP (src/cli/signals.ts); $MAINPID is systemd's, not a shell's.
    assert.equal(one(service, 'ExecReload'), '/bin/kill -HUP $MAINPID');
    assert.equal(one(service, 'ExecStopPost'), '/usr/bin/vipd cleanup -c /etc/vipd/vipd.yaml');
    assert.equal(one(service, 'User'), 'vipd');
    assert.equal(one(service, 'Group'), 'vipd');
    assert.equal(one(service, 'Restart'), 'on-failure');
    assert.equal(one(unit.get('Unit'), 'ConditionPathExists'), '/etc/vipd/vipd.yaml');
    assert.equal(one(unit.get('Install'), 'WantedBy'), 'multi-user.target');
  });

  it('Type matches what vipd tells systemd: exec while it has no sd_notify, notify once it has', () => {
    const notifies = sourcesMention('NOTIFY_SOCKET');
    assert.equal(one(service, 'Type'), notifies ? 'notify' : 'exec', notifies ? 'vipd now speaks sd_notify: make the unit Type=notify' : 'vipd sends no READY=1: Type=notify would time out at start');
  });

  it('has CAP_NET_ADMIN and CAP_NET_RAW and nothing else, ambient (inherited by ip, arping, scripts)', () => {
    const want = new Set(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    assert.deepEqual(words('AmbientCapabilities'), want);
    assert.deepEqual(words('CapabilityBoundingSet'), want);
    assert.equal(one(service, 'NoNewPrivileges'), 'yes');
  });

  it('RuntimeDirectory is the directory of the API socket\'s default path', () => {
    assert.equal(`/run/${one(service, 'RuntimeDirectory')}`, posix.dirname(DEFAULT_API_SOCKET));
    // Group vipd (vipctl users) must reach the socket (mode 0660, docs/api.md) through the directory.
    const mode = Number.parseInt(one(service, 'RuntimeDirectoryMode') ?? '0755', 8);
    assert.equal(mode & 0o050, 0o050, `RuntimeDirectoryMode ${mode.toString(8)} must let the group in`);
    assert.equal(mode & 0o007, 0, 'others have no business with the socket');
  });

  it('is sandboxed, and still allows what vipd needs', () => {
    assert.equal(one(service, 'ProtectSystem'), 'strict');
    for (const key of ['ProtectHome', 'PrivateTmp', 'PrivateDevices', 'LockPersonality', 'RestrictSUIDSGID', 'RestrictNamespaces', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectControlGroups']) {
      assert.equal(one(service, key), 'yes', key);
    }
    const families = one(service, 'RestrictAddressFamilies') ?? '';
    assert.ok(!families.startsWith('~'), 'an allow-list, not a deny-list');
    for (const f of ['AF_NETLINK', 'AF_PACKET', 'AF_INET', 'AF_INET6', 'AF_UNIX']) assert.ok(words('RestrictAddressFamilies').has(f), f);
    // @pkey: V8's pkey_alloc at start (the test at the end; the Debian package test traces all of vipd).
    assert.deepEqual(words('SystemCallFilter'), new Set(['@system-service', '@pkey']));
    assert.equal(one(service, 'SystemCallErrorNumber'), 'EPERM');
    // V8 needs W+X memory (the test below shows Node dying without it).
    assert.equal(service.get('MemoryDenyWriteExecute'), undefined);
    // process health checks read other users' /proc/PID; the VIPs live in the host's network.
    for (const key of ['ProtectProc', 'ProcSubset', 'PrivateNetwork', 'PrivateUsers']) assert.equal(service.get(key), undefined, key);
  });

  it('systemd-analyze verify accepts it with no warning', { skip: noAnalyze }, () => {
    // verify insists that ExecStart's program exists and is executable. /usr/bin/vipd is the
    // package's; here it is replaced by a stub in a temporary directory, and only that path changes.
    const stub = join(tmp, 'vipd');
    writeFileSync(stub, '#!/bin/sh\nexit 0\n');
    chmodSync(stub, 0o755);
    const copy = text.replaceAll('/usr/bin/vipd', stub);
    assert.equal(copy.split(stub).length - 1, text.split('/usr/bin/vipd').length - 1);
    assert.equal(copy.replaceAll(stub, '/usr/bin/vipd'), text);
    const file = join(tmp, 'vipd.service');
    writeFileSync(file, copy);
    const r = run(ANALYZE, ['verify', '--man=no', file]);
    assert.equal(r.error, undefined);
    // verify exits 0 on unknown keys and unparsable values too; it prints them, so nothing may be printed.
    assert.equal(`${r.stdout}${r.stderr}`, '', 'systemd-analyze verify printed something');
    assert.equal(r.status, 0);
  });

  it('systemd-analyze verify does complain about a broken copy (so the test above can fail)', { skip: noAnalyze }, () => {
    const file = join(tmp, 'broken.service');
    writeFileSync(file, text.replace('Restart=on-failure', 'Restart=on-failur').replace('KillMode=mixed', 'KilMode=mixed'));
    const r = run(ANALYZE, ['verify', '--man=no', file]);
    assert.match(r.stderr, /restart specifier/);
    assert.match(r.stderr, /Unknown key 'KilMode'/);
  });

  it(`systemd-analyze security rates its exposure at most ${MAX_EXPOSURE}`, { skip: noAnalyze }, () => {
    const r = run(ANALYZE, ['security', '--offline=true', '--no-pager', UNIT]);
    assert.equal(r.error, undefined);
    const m = /Overall exposure level for vipd\.service: (\d+\.\d)/.exec(r.stdout);
    assert.ok(m?.[1], `no exposure line in:\n${r.stdout}\n${r.stderr}`);
    const score = Number(m[1]);
    console.log(`systemd-analyze security --offline=true: exposure ${score} (at most ${MAX_EXPOSURE}; ${run(ANALYZE, ['--version']).stdout.split('\n')[0]})`);
    assert.ok(score <= MAX_EXPOSURE, `exposure ${score} > ${MAX_EXPOSURE}:\n${r.stdout}`);
    // The same unit without its sandbox scores worse: the measurement responds to it.
    const loose = join(tmp, 'vipd.service');
    writeFileSync(loose, text.replace(/^(NoNewPrivileges|ProtectSystem|SystemCallFilter)=.*$/gm, ''));
    const l = /Overall exposure level for vipd\.service: (\d+\.\d)/.exec(run(ANALYZE, ['security', '--offline=true', '--no-pager', loose]).stdout);
    assert.ok(Number(l?.[1]) > MAX_EXPOSURE, `without the sandbox: ${l?.[1]}`);
  });

  it('Node.js calls pkey_alloc at start, which is in @pkey and not in @system-service (why the filter lists both)', { skip: noAnalyze }, (t) => {
    if (run('strace', ['-V']).status !== 0) return t.skip('strace is not installed');
    const trace = join(tmp, 'node.strace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=pkey_alloc', '-o', trace, process.execPath, '-e', 'console.log("ran")'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(tracedCalls(readFileSync(trace, 'utf8')).has('pkey_alloc'));
    const groups = syscallGroups();
    assert.ok(allowedCalls(groups, ['@system-service']).size > 300, 'the groups were read');
    assert.ok(!allowedCalls(groups, ['@system-service']).has('pkey_alloc'));
    assert.ok(allowedCalls(groups, ['@pkey']).has('pkey_alloc'));
  });

  it('Node.js aborts under memory-deny-write-execute: why the unit does not set MemoryDenyWriteExecute', (t) => {
    // PR_SET_MDWE (Linux 6.3) refuses writable+executable mappings, what MemoryDenyWriteExecute
    // enforces; python3's ctypes sets it and execs node in the same process.
    const script = [
      'import ctypes, os, sys',
      'libc = ctypes.CDLL(None, use_errno=True)',
      'if libc.prctl(65, 1, 0, 0, 0) != 0: sys.exit(77)',
      'os.execv(sys.argv[1], sys.argv[1:])',
    ].join('\n');
    const py = run('python3', ['-c', 'print(1)']);
    if (py.status !== 0) return t.skip('no python3 to set PR_SET_MDWE with');
    const js = ['-e', 'let s = 0; for (let i = 0; i < 1e6; i++) s += i; console.log("ran", s)'];
    const r = spawnSync('python3', ['-c', script, process.execPath, ...js], { encoding: 'utf8', timeout: 30_000 });
    if (r.status === 77) return t.skip('this kernel has no PR_SET_MDWE (Linux 6.3 or later)');
    assert.ok(r.signal !== null || r.status !== 0, `node ran under MDWE: ${r.stdout}`);
    assert.doesNotMatch(r.stdout, /ran/);
    // The same command without MDWE runs: the failure above is MDWE's.
    const plain = spawnSync(process.execPath, js, { encoding: 'utf8', timeout: 30_000 });
    assert.match(plain.stdout, /ran 499999500000/);
  });
});
