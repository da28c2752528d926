/**
 * deploy/docker/Dockerfile, its capability wrapper deploy/docker/vipd.sh and
 * deploy/kubernetes/daemonset.yaml. Docker cannot build here, so the Dockerfile is read: its
 * stages and base images, a non-root numeric USER, nothing privileged, EXPOSE and HEALTHCHECK on
 * vipd's default ports, every COPY source present. The wrapper's mechanism (setpriv with file
 * capabilities raising ambient ones) runs for real as an unprivileged user when this is root.
 * The DaemonSet: host network, exactly the two capabilities, probes on the API's real routes at
 * its default address, and each node's file in the ConfigMap passes vipd's own configuration
 * checks against the Secret's file names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_API_LISTEN, DEFAULT_API_SOCKET } from '../../../src/config/api-schema.js';
import { DEFAULT_LISTEN } from '../../../src/config/types.js';
import { checkConfig } from '../../../src/config/check.js';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';
import { route } from '../../../src/api/routes.js';
import type { AgentControl } from '../../../src/api/control.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string; engines: { node: string } };
const hostPort = (text: string) => {
  const i = text.lastIndexOf(':');
  return { host: text.slice(0, i), port: Number(text.slice(i + 1)) };
};
const API = hostPort(DEFAULT_API_LISTEN);
const PEER = hostPort(DEFAULT_LISTEN);

// ---- the Dockerfile ----

interface Instruction { readonly op: string; readonly args: string; readonly stage: number; readonly line: number }

/** Instructions with continuation lines joined and comments dropped; `stage` counts FROMs from 0. */
function parseDockerfile(text: string): { instructions: Instruction[]; comments: string[] } {
  const instructions: Instruction[] = [];
  const comments: string[] = [];
  let stage = -1;
  let pending = '';
  let start = 0;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      comments.push(line.replace(/^#\s?/, ''));
      continue;
    }
    // Blank lines end nothing: Docker skips them inside a continued instruction too.
    if (line === '') continue;
    if (pending === '') start = i + 1;
    pending += `${pending ? ' ' : ''}${line.replace(/\\$/, '').trim()}`;
    if (line.endsWith('\\')) continue;
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(pending);
    assert.ok(m?.[1] && m[2] !== undefined, `line ${start}: not an instruction: ${pending}`);
    const op = m[1].toUpperCase();
    if (op === 'FROM') stage += 1;
    instructions.push({ op, args: m[2].trim(), stage, line: start });
    pending = '';
  }
  assert.equal(pending, '', 'the file ends inside a continued instruction');
  return { instructions, comments };
}

const dockerfileText = read('deploy/docker/Dockerfile');
const dockerfile = parseDockerfile(dockerfileText);
const ins = (op: string) => dockerfile.instructions.filter((i) => i.op === op);
const lastStage = Math.max(...dockerfile.instructions.map((i) => i.stage));
/** ARGs declared before the first FROM: what FROM lines may use. */
const globalArgs = new Map(dockerfile.instructions.filter((i) => i.op === 'ARG' && i.stage === -1).map((i) => {
  const [k = '', v = ''] = i.args.split('=');
  return [k, v] as const;
}));
const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => globalArgs.get(a ?? b ?? '') ?? `<unset ${a ?? b}>`);
/** `docker run ...` command lines in comments and in a README's code, continuations joined. */
function dockerRuns(lines: readonly string[]): string[] {
  const runs: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*docker run\b/.test(lines[i] ?? '')) continue;
    let cmd = lines[i] ?? '';
    while (cmd.trimEnd().endsWith('\\') && i + 1 < lines.length) cmd = `${cmd.trimEnd().slice(0, -1)} ${(lines[++i] ?? '').trim()}`;
    runs.push(cmd.trim().replace(/\s+/g, ' '));
  }
  return runs;
}

/** The Dockerfile's `setcap CAPS FILE` (a RUN step, not a comment). */
const SETCAP = /^\s*(?:RUN|&&).*\bsetcap (cap_\S+) (\/\S+)/m.exec(dockerfileText.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n'));

/** The final stage's USER as uid and gid. */
const [userInstr] = ins('USER').filter((i) => i.stage === lastStage);
const [uid = '', gid = ''] = (userInstr?.args ?? '').split(':');

describe('deploy/docker/Dockerfile', () => {
  it('the parser joins continued lines and refuses a broken file (so the checks below can fail)', () => {
    const p = parseDockerfile('# c\nFROM a AS b\nRUN x \\\n && y\n\nFROM b\nUSER 1:1\n');
    assert.deepEqual(p.instructions.map((i) => [i.op, i.args, i.stage]), [['FROM', 'a AS b', 0], ['RUN', 'x && y', 0], ['FROM', 'b', 1], ['USER', '1:1', 1]]);
    assert.throws(() => parseDockerfile('FROM a\nRUN x \\\n'), /ends inside/);
    assert.deepEqual(dockerRuns(['  docker run -d \\', '    --network host x']), ['docker run -d --network host x']);
  });

  it('builds on node:20-bookworm-slim in two stages; the runtime stage takes only the build\'s installed tree', () => {
    const froms = ins('FROM').map((i) => expand(i.args));
    assert.deepEqual(froms, ['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    // The image's Node satisfies the package's engines (">=20").
    const min = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    assert.ok(Number(/node:(\d+)/.exec(froms[1] ?? '')?.[1]) >= min, `${froms[1]} vs engines ${pkg.engines.node}`);
    const fromBuild = ins('COPY').filter((i) => i.args.includes('--from='));
    assert.deepEqual(fromBuild.map((i) => i.args), ['--from=build /usr/lib/vipd /usr/lib/vipd']);
    const build = dockerfile.instructions.filter((i) => i.stage === 0 && i.op === 'RUN').map((i) => i.args).join('\n');
    assert.match(build, /npm ci --omit=dev/);
    assert.match(build, /npm run build/);
    // An image whose addon or raw-socket did not build fails to build instead of falling back.
    assert.match(build, /test -f providers\/local\/native\/build\/Release\/local_link\.node/);
    assert.match(build, /test -f node_modules\/raw-socket\/build\/Release\/raw\.node/);
    const runtime = dockerfile.instructions.filter((i) => i.stage === lastStage && i.op === 'RUN').map((i) => i.args).join('\n');
    assert.match(runtime, /apt-get install -y --no-install-recommends [^&]*\biproute2\b/);
  });

  it('runs as a numeric non-root user made in the image', () => {
    assert.ok(userInstr, 'the final stage sets USER');
    assert.match(uid, /^\d+$/, 'numeric, so that runAsNonRoot can check it');
    assert.notEqual(Number(uid), 0);
    assert.notEqual(Number(gid), 0);
    const runtime = dockerfile.instructions.filter((i) => i.stage === lastStage && i.op === 'RUN').map((i) => i.args).join('\n');
    assert.match(runtime, new RegExp(`useradd [^&]*--uid ${uid} `));
    assert.match(runtime, new RegExp(`groupadd [^&]*--gid ${gid} `));
    // USER is the last word on identity: nothing after it switches back.
    assert.equal(ins('USER').filter((i) => i.stage === lastStage).length, 1);
  });

  it('asks for nothing privileged: no --privileged, and every docker run shown adds exactly NET_ADMIN and NET_RAW in the host network', () => {
    for (const i of dockerfile.instructions) {
      assert.doesNotMatch(i.args, /--privileged|--security=insecure|--cap-add/, `line ${i.line}: ${i.op} ${i.args}`);
    }
    const runs = [...dockerRuns(dockerfile.comments), ...dockerRuns(read('deploy/docker/README.md').split('\n'))];
    assert.ok(runs.length >= 2, `docker run examples: ${runs.length}`);
    for (const cmd of runs) {
      assert.doesNotMatch(cmd, /--privileged|--cap-add[= ](ALL|SYS_ADMIN)|no-new-privileges/, cmd);
      assert.match(cmd, /--network[= ]host/, cmd);
      const added = [...cmd.matchAll(/--cap-add[= ](\S+)/g)].map((m) => m[1]).sort();
      assert.deepEqual(added, ['NET_ADMIN', 'NET_RAW'], cmd);
    }
  });

  it('EXPOSE and HEALTHCHECK use vipd\'s default peer and API ports and the API\'s /healthz', async () => {
    const exposed = ins('EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((p) => Number(p.replace(/\/tcp$/, ''))).sort();
    assert.deepEqual(exposed, [PEER.port, API.port].sort());
    const [health] = ins('HEALTHCHECK');
    assert.ok(health, 'HEALTHCHECK');
    const url = /http:\/\/([\d.]+):(\d+)(\/\w+)/.exec(health.args);
    assert.deepEqual([url?.[1], Number(url?.[2])], [API.host, API.port]);
    assert.equal((await route({ method: 'GET', url: url?.[3] ?? '', body: '' }, fakeControl(true))).status, 200);
  });

  it('starts vipd run under tini with the default configuration path', () => {
    assert.deepEqual(JSON.parse(ins('ENTRYPOINT')[0]?.args ?? '[]'), ['/usr/bin/tini', '--', '/usr/bin/vipd']);
    assert.deepEqual(JSON.parse(ins('CMD')[0]?.args ?? '[]'), ['run', '-c', '/etc/vipd/vipd.yaml']);
    assert.match(dockerfileText, /COPY --chmod=0755 deploy\/docker\/vipd\.sh \/usr\/bin\/vipd\n/);
  });

  it('copies only files that exist, and its .dockerignore keeps the checkout\'s builds out', () => {
    for (const i of ins('COPY').filter((c) => !c.args.includes('--from='))) {
      const words = i.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      for (const src of words.slice(0, -1)) assert.ok(existsSync(join(root, src)), `line ${i.line}: COPY ${src}: no such file`);
    }
    const ignore = read('deploy/docker/Dockerfile.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    for (const p of ['**/node_modules', 'dist', 'providers/local/native/build']) assert.ok(ignore.includes(p), p);
  });

  it('vipd-caps gets the systemd unit\'s two capabilities, and vipd.sh uses the image\'s paths', () => {
    const unitCaps = (/^AmbientCapabilities=(.*)$/m.exec(read('deploy/systemd/vipd.service'))?.[1] ?? '').trim().split(/\s+/).map((c) => c.replace(/^CAP_/, '').toLowerCase()).sort();
    const [, spec = '', target = ''] = SETCAP ?? [];
    assert.ok(spec.endsWith('+p'), `${spec}: permitted, not effective`);
    assert.deepEqual(spec.slice(0, -2).split(',').map((c) => c.replace(/^cap_/, '')).sort(), unitCaps);
    const wrapper = read('deploy/docker/vipd.sh');
    assert.equal(/^caps=(\S+)$/m.exec(wrapper)?.[1], target);
    assert.equal(/^main=(\S+)$/m.exec(wrapper)?.[1], '/usr/lib/vipd/dist/src/cli/vipd.js');
    // The official node images keep node in /usr/local/bin.
    assert.equal(/^node=(\S+)$/m.exec(wrapper)?.[1], '/usr/local/bin/node');
    assert.deepEqual([...(/--inh-caps=(\S+) --ambient-caps=(\S+)"/.exec(wrapper) ?? [])].slice(1), [unitCaps.map((c) => `+${c}`).join(','), unitCaps.map((c) => `+${c}`).join(',')]);
  });
});

// ---- the wrapper's capability mechanism, for real ----

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
function mechanismSkip(dir: string): string | false {
  if (process.getuid?.() !== 0) return 'needs root (setcap, and setpriv to become an unprivileged user)';
  for (const t of ['setcap', 'setpriv', 'findmnt']) if (!has(t)) return `${t} is not installed (Debian: libcap2-bin, util-linux)`;
  const opts = spawnSync('findmnt', ['-no', 'OPTIONS', '-T', dir], { encoding: 'utf8' }).stdout;
  if (/\bnosuid\b/.test(opts)) return `${dir} is on a nosuid mount: file capabilities do not apply there`;
  return false;
}

describe('deploy/docker/vipd.sh raises CAP_NET_ADMIN and CAP_NET_RAW as an unprivileged user', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vipd-caps-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));
  const skip = mechanismSkip(tmp);
  const NOBODY = 65534;

  /**
   * The image's layout in a temporary directory: vipd-caps made as the Dockerfile makes it
   * (setpriv, group-only, the Dockerfile's setcap), vipd.sh with its paths pointed there, and a
   * "node" that prints its capabilities and arguments.
   */
  function layout(): string {
    const caps = join(tmp, 'vipd-caps');
    copyFileSync('/usr/bin/setpriv', caps);
    chownSync(caps, 0, NOBODY);
    chmodSync(caps, 0o750);
    const spec = SETCAP?.[1] ?? '';
    const set = spawnSync('setcap', [spec, caps], { encoding: 'utf8' });
    assert.equal(set.status, 0, set.stderr);
    const probe = join(tmp, 'probe.sh');
    writeFileSync(probe, '#!/bin/sh\ngrep -E "^Cap(Eff|Amb):" /proc/self/status\necho "args: $*"\n', { mode: 0o755 });
    const wrapper = read('deploy/docker/vipd.sh')
      .replace(/^node=.*$/m, 'node=/bin/sh')
      .replace(/^main=.*$/m, `main=${probe}`)
      .replace(/^caps=.*$/m, `caps=${caps}`);
    const file = join(tmp, 'vipd');
    writeFileSync(file, wrapper, { mode: 0o755 });
    chmodSync(tmp, 0o755);
    return file;
  }

  /**
   * As a container's non-root process is: uid 65534, no capabilities of its own, a bounding set
   * of `bounding` (Docker's --cap-add), optionally no_new_privs (allowPrivilegeEscalation: false).
   */
  function asContainerUser(wrapper: string, args: string[], bounding: string, nnp = false) {
    const r = spawnSync('setpriv', [
      `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', `--bounding-set=-all,${bounding}`,
      ...(nnp ? ['--no-new-privs'] : []), '--', '/bin/sh', '-c', 'grep -q "^CapPrm:\t0000000000000000$" /proc/self/status || exit 99; exec "$@"', 'sh', wrapper, ...args,
    ], { encoding: 'utf8', timeout: 10_000, cwd: tmp });
    assert.notEqual(r.status, 99, 'the caller must start with no permitted capabilities, as in a container');
    const hex = (name: string) => Number.parseInt(new RegExp(`^${name}:\\s*([0-9a-f]+)$`, 'm').exec(r.stdout)?.[1] ?? 'NaN', 16);
    return { status: r.status, out: r.stdout, err: r.stderr, eff: hex('CapEff'), amb: hex('CapAmb') };
  }
  const NET_ADMIN_RAW = (1 << 12) | (1 << 13);

  it('vipd run and vipd cleanup get both as ambient capabilities (inherited by what vipd starts); check and --version get none', { skip }, () => {
    const w = layout();
    for (const args of [['run', '-c', '/etc/vipd/vipd.yaml'], ['cleanup', '-c', 'x.yaml'], ['check', '--cloud', '-c', 'x.yaml']]) {
      const r = asContainerUser(w, args, '+net_admin,+net_raw,+chown');
      assert.equal(r.status, 0, r.err);
      assert.equal(r.amb, NET_ADMIN_RAW, `${args[0]}: ambient ${r.amb.toString(16)}\n${r.out}`);
      assert.equal(r.eff, NET_ADMIN_RAW, 'and nothing else from the bounding set');
      assert.match(r.out, new RegExp(`^args: ${args.join(' ')}$`, 'm'));
    }
    for (const args of [['--version'], ['check', '-c', 'x.yaml']]) {
      const r = asContainerUser(w, args, '+net_admin,+net_raw');
      assert.equal(r.status, 0, r.err);
      assert.equal(r.eff, 0, `${args.join(' ')} runs without capabilities`);
    }
  });

  it('without --cap-add NET_ADMIN, or with no_new_privs, vipd run exits 1 and says what to grant', { skip }, () => {
    const w = layout();
    for (const [bounding, nnp] of [['+net_raw', false], ['+net_admin,+net_raw', true]] as const) {
      const r = asContainerUser(w, ['run', '-c', '/etc/vipd/vipd.yaml'], bounding, nnp);
      assert.equal(r.status, 1, `${bounding} nnp=${nnp}: ${r.out}${r.err}`);
      assert.match(r.err, /--cap-add NET_ADMIN --cap-add NET_RAW/);
      assert.match(r.err, /allowPrivilegeEscalation/);
      assert.doesNotMatch(r.out, /args:/, 'vipd did not start');
    }
  });
});

// ---- the DaemonSet ----

type Obj = Record<string, unknown>;
const manifest = read('deploy/kubernetes/daemonset.yaml');
// Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml): 0400 is octal there.
const docs = parseAllDocuments(manifest, { version: '1.1' }).map((d) => {
  assert.deepEqual(d.errors, []);
  return d.toJS() as Obj;
}).filter((d) => d !== null);
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
const get = (o: unknown, ...path: (string | number)[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);

interface Container { name: string; image: string; args: string[]; env: { name: string; valueFrom?: unknown }[]; ports: { containerPort: number }[]; securityContext: Obj; readinessProbe: Obj; livenessProbe: Obj; volumeMounts: { name: string; mountPath: string }[] }
const ds = byKind('DaemonSet')[0] ?? {};
const podSpec = get(ds, 'spec', 'template', 'spec') as Obj;
const container = (get(podSpec, 'containers', 0) ?? {}) as Container;
const volumes = (podSpec.volumes ?? []) as (Obj & { name: string })[];
const mountOf = (volume: string) => container.volumeMounts.find((m) => m.name === volume)?.mountPath;

function fakeControl(ready: boolean): AgentControl {
  const no = () => { throw new Error('not used'); };
  return { readiness: () => ({ ready, reasons: ready ? [] : ['web: INITIALIZE'] }), status: no, events: no, subscribe: no, metrics: no, maintenance: no, promote: no };
}

describe('deploy/kubernetes/daemonset.yaml', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vipd-k8s-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('holds a Namespace, a ConfigMap, a Secret and a DaemonSet, in one namespace', () => {
    assert.deepEqual(docs.map((d) => d.kind), ['Namespace', 'ConfigMap', 'Secret', 'DaemonSet']);
    const ns = get(byKind('Namespace')[0], 'metadata', 'name');
    for (const d of docs.slice(1)) assert.equal(get(d, 'metadata', 'namespace'), ns);
    // hostNetwork is beyond "baseline": the namespace must admit it.
    assert.equal(get(byKind('Namespace')[0], 'metadata', 'labels', 'pod-security.kubernetes.io/enforce'), 'privileged');
  });

  it('runs in the host network on selected nodes, as the image\'s user, with NET_ADMIN and NET_RAW only, never privileged', () => {
    assert.equal(podSpec.hostNetwork, true);
    assert.ok(Object.keys((podSpec.nodeSelector ?? {}) as Obj).length > 0, 'a nodeSelector for the nodes that carry the VIP');
    const sc = container.securityContext;
    assert.deepEqual(get(sc, 'capabilities', 'add'), ['NET_ADMIN', 'NET_RAW']);
    assert.deepEqual(get(sc, 'capabilities', 'drop'), ['ALL']);
    assert.notEqual(sc.privileged, true);
    assert.doesNotMatch(manifest, /privileged:\s*true/);
    // vipd-caps works through file capabilities, which no_new_privs turns off.
    assert.notEqual(sc.allowPrivilegeEscalation, false);
    assert.equal(get(podSpec, 'securityContext', 'runAsNonRoot'), true);
    assert.equal(String(get(podSpec, 'securityContext', 'runAsUser')), uid);
    assert.equal(String(get(podSpec, 'securityContext', 'runAsGroup')), gid);
    assert.equal(container.image.split(':').at(-1), pkg.version, 'the image tag is this version');
  });

  it('probes /readyz and /healthz of the HTTP API at its default address, and those routes answer as a probe needs', async () => {
    for (const [probe, path] of [[container.readinessProbe, '/readyz'], [container.livenessProbe, '/healthz']] as const) {
      assert.equal(get(probe, 'httpGet', 'path'), path);
      assert.equal(get(probe, 'httpGet', 'port'), API.port);
      assert.equal(get(probe, 'httpGet', 'host'), API.host);
    }
    const call = (path: string, ready: boolean) => route({ method: 'GET', url: path, body: '' }, fakeControl(ready));
    assert.equal((await call('/healthz', false)).status, 200);
    assert.equal((await call('/readyz', true)).status, 200);
    // The kubelet counts >= 400 as a failure: a node still in Initialize is not ready.
    assert.equal((await call('/readyz', false)).status, 503);
    assert.equal((await call('/readyzz', true)).status, 404, 'a wrong path would fail the probe');
  });

  it('declares the ports the Dockerfile exposes', () => {
    const exposed = ins('EXPOSE').flatMap((i) => i.args.split(/\s+/)).map(Number).sort();
    assert.deepEqual(container.ports.map((p) => p.containerPort).sort(), exposed);
  });

  it('mounts a writable directory for the API socket under a read-only root file system', () => {
    assert.equal(container.securityContext.readOnlyRootFilesystem, true);
    const run = container.volumeMounts.find((m) => m.mountPath === posix.dirname(DEFAULT_API_SOCKET));
    assert.ok(run, `a volume at ${posix.dirname(DEFAULT_API_SOCKET)}`);
    assert.ok(get(volumes.find((v) => v.name === run.name), 'emptyDir'), 'an emptyDir');
  });

  it('each node reads its own file from the ConfigMap, and each file passes vipd check against the Secret\'s files', async () => {
    assert.deepEqual(container.args.slice(0, 2), ['run', '-c']);
    const env = container.env.find((e) => e.name === 'NODE_NAME');
    assert.deepEqual(env?.valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
    const configVolume = volumes.find((v) => get(v, 'configMap', 'name') === get(byKind('ConfigMap')[0], 'metadata', 'name'));
    const secretVolume = volumes.find((v) => get(v, 'secret', 'secretName') === get(byKind('Secret')[0], 'metadata', 'name'));
    assert.ok(configVolume && secretVolume, 'the ConfigMap and the Secret are mounted');
    assert.equal(container.args[2], `${mountOf(configVolume.name)}/$(NODE_NAME).yaml`);
    assert.equal(get(secretVolume, 'secret', 'defaultMode'), 0o400);
    const pkiDir = mountOf(secretVolume.name) ?? '';

    // The Secret's files, with stand-ins vipd accepts (a real key: 32 random bytes, base64).
    const secret = (get(byKind('Secret')[0], 'stringData') ?? {}) as Record<string, string>;
    const pki = join(tmp, 'pki');
    mkdirSync(pki, { recursive: true });
    for (const name of Object.keys(secret)) writeFileSync(join(pki, name), `${Buffer.alloc(32, name).toString('base64')}\n`, { mode: 0o600 });

    const data = (get(byKind('ConfigMap')[0], 'data') ?? {}) as Record<string, string>;
    const loaded = [];
    for (const [name, yaml] of Object.entries(data)) {
      assert.match(name, /\.yaml$/);
      // Every file the configuration names is in the Secret's mount: the checks find them in `pki`.
      const file = join(tmp, name);
      writeFileSync(file, yaml.replaceAll(`${pkiDir}/`, `${pki}/`));
      const r = await checkConfig(file, { providers: PROVIDER_PLUGINS });
      assert.equal(r.exitCode, 0, `${name}:\n${r.stderr}`);
      assert.ok(r.config);
      loaded.push(r.config);
      // The probes' address is where this node's API listens.
      assert.deepEqual({ host: r.config.api.http?.host, port: r.config.api.http?.port }, API);
    }
    assert.ok(loaded.length >= 2, 'a group needs at least two nodes');
    // The files agree with each other: ids unique, each group's peers are the other files' nodes.
    const ids = loaded.map((c) => c.node.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const c of loaded) {
      for (const g of c.groups) assert.deepEqual([...g.peers].sort(), ids.filter((id) => id !== c.node.id).sort(), `${c.node.id}/${g.name}`);
    }
    assert.equal(new Set(loaded.map((c) => JSON.stringify(c.groups.map((g) => [g.name, g.vrid, g.vips])))).size, 1, 'the same groups and VIPs everywhere');
  });

  it('the Secret as shipped holds placeholders that vipd refuses', async () => {
    const secret = (get(byKind('Secret')[0], 'stringData') ?? {}) as Record<string, string>;
    const pki = join(tmp, 'placeholders');
    mkdirSync(pki, { recursive: true });
    for (const [name, value] of Object.entries(secret)) {
      assert.match(value, /^REPLACE/);
      writeFileSync(join(pki, name), value, { mode: 0o600 });
    }
    const [name = '', yaml = ''] = Object.entries((get(byKind('ConfigMap')[0], 'data') ?? {}) as Record<string, string>)[0] ?? [];
    const file = join(tmp, `placeholder-${name}`);
    writeFileSync(file, yaml.replaceAll('/etc/vipd/pki/', `${pki}/`));
    const r = await checkConfig(file, { providers: PROVIDER_PLUGINS });
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /k1\.key|secret_file/);
  });
});
