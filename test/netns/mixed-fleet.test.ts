/**
 * The mixed-fleet example (docs/examples/mixed-fleet/, issue 12 item 2) end to end: one vipd
 * cluster, gossip over gRPC with mutual TLS and signed adverts, spanning an on-prem LAN group
 * (VRRP, `transport: multicast`, the local provider) and a cloud group (`transport: unicast`,
 * `quorum: majority`, the aws provider in `eip` mode) whose third vote is an on-prem node.
 *
 * 1. `vipd check -c FILE` passes for each of the four files as shipped, with a CA, node
 *    certificates and an advert key made for the run under `pki/` beside them (the files'
 *    relative paths). No root needed.
 * 2. Root only (skipped with the reason otherwise): the four files run as real `vipd run`
 *    processes, each in its own network namespace, every line as shipped except `api.socket`
 *    (the four agents share one file system, so each gets its own socket path in the run's
 *    directory; the API is how the test reads /v1/members and /metrics).
 *
 * The network (test/netns/lib createTopology, one bridge; every host's veth renamed eth0 inside
 * its namespace, so the files' `interface: eth0` stands):
 *
 *   onprem1  192.0.2.11/24      the LAN segment; route to 198.51.100.0/24 on the link ("the VPN")
 *   onprem2  192.0.2.12/24
 *   cloud1   198.51.100.11/24   the VPC; route to 192.0.2.0/24 on the link; nftables drops VRRP
 *   cloud2   198.51.100.12/24     and multicast there, as a VPC carries none
 *   ec2      198.51.100.2/24    the strict EC2 fake (test/fakes/ec2/serve.ts --host), API and
 *                               one IMDSv2 server per instance
 *
 * One bridge keeps it simple: the two sites differ by subnet, not by a router; the cloud nodes'
 * nftables table makes sure nothing of theirs rides on the LAN's multicast. The cloud nodes find
 * their region, instance and ENI through the fake's IMDS and reach its EC2 API through the SDK's
 * standard variables (AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_ENDPOINT_URL_EC2), each with its own
 * access key (so the fake's log says who sent what); every other AWS_ variable is cleared. The
 * fake's control port stays on the ec2 namespace's loopback and is reached through a Unix socket
 * relay (test/cluster/netns-relay.ts).
 *
 * onprem-1, cloud-1 and cloud-2 start together; onprem-2 once onprem-1 is the LAN master (a
 * pair started at once may elect onprem-2 and then preempt it: RFC 5798's cold start, which
 * holds the VIP on both for one advert's delivery, docs/lan-mode.md "Preemption").
 *
 * Checks: one cluster (each node's /v1/members shows the three others alive); the LAN VIP on
 * onprem-1 alone (`ip addr` in the on-prem namespaces, sampled every ~20 ms), the Elastic IP
 * associated with cloud-1's instance (the fake's truth, sampled every ~100 ms); SIGKILL of
 * onprem-1: onprem-2 takes the LAN VIP by VRRP while the Elastic IP stays on cloud-1 (no
 * Associate/Disassociate request, no role change in the cloud group); SIGKILL of cloud-1:
 * cloud-2 takes the Elastic IP on a lease granted by itself and onprem-2 (onprem-2's
 * vipd_lease_grants_total{group="cloud",result="granted"} grows while cloud-1 is dead) while the
 * LAN VIP stays on onprem-2. At every sample: never the LAN VIP on both on-prem hosts, never the
 * Elastic IP on an instance other than cloud-1's or cloud-2's. A SIGKILLed onprem-1 leaves its
 * VIP bound (docs/lan-mode.md "After a crash"): the test deletes it at once, as
 * `ExecStopPost=vipd cleanup` would; onprem-2 waits Master_Down_Interval (~3.6 s) before taking
 * over, so no sample may show two holders.
 *
 * Everything is bounded: each wait, the samplers (count and time), the agents' lifetimes; the
 * whole test stays under two minutes. On failure every node's log and the fake's request log are
 * printed. The namespaces, the agents, the fake and the relay are removed in the test's `finally`,
 * the run's directory in `after`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml, parseDocument } from 'yaml';
import { CloudFake, cloudFreeEnv, type FakeRequest } from '../../src/cli/cloud-fake.js';
import { onLines } from '../../src/cli/lines.js';
import { initCa, issueNodeCert } from '../../src/security/certs.js';
import { VipdAgent } from './agents.js';
import { overlapRuns } from './lib/agent-log.js';
import { AddrReader, HolderSampler } from './lib/holders.js';
import { createTopology, exec, locateTool, netnsSkipReason, type Host, type Topology } from './lib/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'docs', 'examples', 'mixed-fleet');
const VIPD = join(ROOT, 'src', 'cli', 'vipd.ts');
const RELAY = join(ROOT, 'test', 'cluster', 'netns-relay.ts');

const NODES = ['onprem-1', 'onprem-2', 'cloud-1', 'cloud-2'] as const;
type NodeId = (typeof NODES)[number];
const ONPREM: readonly NodeId[] = ['onprem-1', 'onprem-2'];
const CLOUD: readonly NodeId[] = ['cloud-1', 'cloud-2'];
/** Namespace host names (createTopology: [a-z][a-z0-9]*); host i gets 192.0.2.(10+i) first. */
const HOST: Readonly<Record<NodeId, string>> = { 'onprem-1': 'onprem1', 'onprem-2': 'onprem2', 'cloud-1': 'cloud1', 'cloud-2': 'cloud2' };
const EC2_HOST = 'ec2';
/** The EC2 fake's address in the VPC subnet (documentation range, RFC 5737). */
const EC2_IP = '198.51.100.2';
const IFACE = 'eth0';
const REGION = 'eu-west-1';
/** EC2-shaped ids (17 hex digits) of the instances the cloud nodes are; the fake's IMDS tells each node its own. */
const INSTANCE: Readonly<Record<string, { instanceId: string; eniId: string; az: string }>> = {
  'cloud-1': { instanceId: 'i-0c1000000000000c1', eniId: 'eni-0c1000000000000c1', az: `${REGION}a` },
  'cloud-2': { instanceId: 'i-0c2000000000000c2', eniId: 'eni-0c2000000000000c2', az: `${REGION}b` },
};
/** AWS's documented example key pairs (AWS General Reference), one per cloud node. */
const KEYS: Readonly<Record<string, { accessKeyId: string; secretAccessKey: string }>> = {
  'cloud-1': { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  'cloud-2': { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
};

/** The whole e2e test: it fails by itself before node:test's timeout, so its `finally` always runs. */
const BUDGET_MS = 85_000;
/** Four Node programs under tsx (two of them loading the AWS SDK), a fake and a relay on two cores. */
const FIRST_STEADY_MS = 60_000;
const FAILOVER_MS = 20_000;

/**
 * The cloud namespaces' filter: no VRRP (IP protocol 112) and no IPv4 multicast in or out,
 * counted. Prerouting: the kernel would drop a multicast group it has not joined before the
 * input hook, so only there does the counter show the LAN's adverts reaching the cloud segment.
 */
const VPC_RULES = `table inet vpc {
  chain ingress { type filter hook prerouting priority 0; policy accept; ip protocol 112 counter drop; ip daddr 224.0.0.0/4 counter drop; }
  chain egress { type filter hook output priority 0; policy accept; ip protocol 112 counter drop; ip daddr 224.0.0.0/4 counter drop; }
}
`;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface NodeFile {
  readonly id: NodeId;
  readonly file: string;
  readonly address: string;
  readonly doc: Record<string, unknown>;
}

/** The example's four files with a CA, node certificates and an advert key under `dir/pki`, as the files name them. */
async function prepareExample(dir: string): Promise<Map<NodeId, NodeFile>> {
  const files = new Map<NodeId, NodeFile>();
  for (const id of NODES) {
    const file = join(dir, `${id}.yaml`);
    await copyFile(join(EXAMPLE, `${id}.yaml`), file);
    const doc = parseYaml(await readFile(file, 'utf8')) as Record<string, unknown>;
    const node = doc.node as { id?: string; address?: string };
    assert.equal(node.id, id, `${id}.yaml is node ${id}`);
    assert.ok(node.address, `${id}.yaml names its address`);
    files.set(id, { id, file, address: node.address, doc });
  }
  const clusterIds = new Set([...files.values()].map((f) => f.doc.cluster_id));
  assert.equal(clusterIds.size, 1, `one cluster_id in the four files (${[...clusterIds].join(', ')})`);
  const pki = join(dir, 'pki');
  await mkdir(pki, { mode: 0o700 });
  await initCa({ dir: pki, clusterId: String([...clusterIds][0]) });
  for (const f of files.values()) await issueNodeCert({ dir: pki, nodeId: f.id, sans: [f.address] });
  await writeFile(join(pki, 'k1.key'), Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff)).toString('base64'), { mode: 0o600 });
  return files;
}

/** The cloud group's provider mapping and VIP, read from cloud-1.yaml (the test follows the example). */
function cloudGroup(f: NodeFile): { name: string; allocationId: string; publicIp: string; witnesses: string[] } {
  const groups = f.doc.groups as Array<{ name: string; vips: string[]; witnesses?: string[]; provider?: { type?: string; mode?: string; allocation_id?: string } }>;
  const g = groups[0];
  assert.ok(g?.provider?.type === 'aws' && g.provider.mode === 'eip' && g.provider.allocation_id, `${f.id}: the cloud group moves an Elastic IP`);
  const publicIp = String(g.vips[0]).split('/')[0] ?? '';
  return { name: g.name, allocationId: g.provider.allocation_id, publicIp, witnesses: g.witnesses ?? [] };
}

function lanGroup(f: NodeFile): { name: string; vip: string; prefix: number } {
  const g = (f.doc.groups as Array<{ name: string; vips: string[]; transport?: string }>)[0];
  assert.ok(g, `${f.id}: one group`);
  const [vip = '', prefix = '32'] = String(g.vips[0]).split('/');
  return { name: g.name, vip, prefix: Number(prefix) };
}

/** GET over a node's API socket (docs/api.md); the socket file is in the shared file system. */
function apiGet(socketPath: string, path: string, timeoutMs = 3_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path} on ${socketPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** The Unix socket relay to the fake's control port on the ec2 namespace's loopback. */
async function startRelay(ns: string, socketPath: string, port: string): Promise<ChildProcessWithoutNullStreams> {
  const relay = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', RELAY, socketPath, port], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  relay.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the control relay did not start within 20 s: ${err}`)), 20_000);
    relay.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the control relay exited (${code}): ${err}`));
    });
    onLines(relay.stdout, (line) => {
      if (line.trim() !== 'ready') return;
      clearTimeout(t);
      relay.removeAllListeners('exit');
      resolve();
    });
  });
  return relay;
}

/** One reading of the fake's truth: which node's instance the Elastic IP is associated with. */
interface CloudSample {
  readonly from: number;
  readonly to: number;
  /** A node id, an unknown instance id as it is, or null when nothing is associated. */
  readonly owner: string | null;
}

/** Reads the Elastic IP's association from the fake every `everyMs`, bounded in count and time. */
class CloudSampler {
  readonly samples: CloudSample[] = [];
  readonly errors: string[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly fake: CloudFake, private readonly allocationId: string, private readonly everyMs: number, private readonly maxMs: number) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const end = nowMs() + this.maxMs;
    for (let i = 0; i < this.maxMs / this.everyMs && !this.stopped && nowMs() < end; i++) {
      const from = nowMs();
      try {
        const o = await this.fake.control<{ instanceId: string } | null>('addressOwner', { allocationId: this.allocationId });
        const node = o ? Object.keys(INSTANCE).find((id) => INSTANCE[id]?.instanceId === o.instanceId) ?? o.instanceId : null;
        this.samples.push({ from, to: nowMs(), owner: node });
      } catch (err) {
        if (this.errors.length < 20) this.errors.push((err as Error).message);
      }
      await sleep(from + this.everyMs - nowMs());
    }
  }

  last(): CloudSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/** `vipd_lease_grants_total{group=G,result="granted"}` from a Prometheus text page (0 when absent). */
function grantsGranted(metrics: string, group: string): number {
  let n = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('vipd_lease_grants_total{')) continue;
    if (!line.includes(`group="${group}"`) || !line.includes('result="granted"')) continue;
    n += Number(line.trim().split(/\s+/).pop());
  }
  return n;
}

const skipE2e = (await netnsSkipReason()) ?? false;

describe('mixed fleet: one cluster, a LAN group (VRRP, local) and a cloud group (unicast, aws eip) with an on-prem witness', () => {
  let dir = '';
  let files = new Map<NodeId, NodeFile>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vipd-mixed-'));
    files = await prepareExample(dir);
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('each file of docs/examples/mixed-fleet passes `vipd check` (no errors, no warnings)', { timeout: 15_000 }, async (t) => {
    const results = await Promise.all(NODES.map((id) =>
      exec([process.execPath, '--import', 'tsx', VIPD, 'check', '-c', join(dir, `${id}.yaml`)], { check: false, timeoutMs: 12_000 })));
    for (const [i, id] of NODES.entries()) {
      const r = results[i];
      assert.ok(r);
      t.diagnostic(`${id}.yaml: ${r.stdout.trim()}`);
      assert.equal(r.code, 0, `vipd check -c ${id}.yaml exits 0\n${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^ok: node ${id}, 1 group `), `${id}.yaml: the one-line summary`);
      assert.equal(r.stderr.trim(), '', `${id}.yaml: no warnings`);
    }
  });

  it('four `vipd run` in namespaces: one cluster; SIGKILL of the LAN master moves only the LAN VIP, of the cloud master only the Elastic IP (with the on-prem vote)',
    { skip: skipE2e, timeout: BUDGET_MS + 10_000 }, async (t) => {
      const deadline = nowMs() + BUDGET_MS;
      /** A wait's bound: its own, cut to what is left of the test's budget. */
      const within = (ms: number): number => Math.max(1_000, Math.min(ms, deadline - nowMs()));
      const lan = lanGroup(files.get('onprem-1') as NodeFile);
      const cloud = cloudGroup(files.get('cloud-1') as NodeFile);
      assert.deepEqual(cloudGroup(files.get('cloud-2') as NodeFile), cloud, 'cloud-1 and cloud-2 run the same cloud group');
      assert.equal(cloud.witnesses.length, 1, 'the cloud group has one witness');
      const witness = cloud.witnesses[0] as NodeId;
      assert.ok(ONPREM.includes(witness), `the cloud group's witness ${witness} is an on-prem node`);
      assert.equal(witness, 'onprem-2', 'the witness is the LAN backup, so the LAN master\'s death costs the cloud pair no vote');

      let topo: Topology | undefined;
      let fake: CloudFake | undefined;
      let relay: ChildProcessWithoutNullStreams | undefined;
      const readers = new Map<string, AddrReader>();
      const agents = new Map<NodeId, VipdAgent>(NODES.map((id) => [id, new VipdAgent(id)]));
      let lanSampler: HolderSampler | undefined;
      let cloudSampler: CloudSampler | undefined;
      let vpcFiltered = false;
      const agent = (id: NodeId): VipdAgent => agents.get(id) as VipdAgent;
      const socketOf = (id: NodeId): string => join(dir, `${id}.sock`);
      const logs = (): string => NODES.map((id) => `--- ${id} ---\n${agent(id).lines.slice(-120).map((l) => `${new Date(l.t).toISOString().slice(11, 23)} ${l.group ? `[${l.group}] ` : ''}${l.msg}`).join('\n')}`).join('\n');
      const detail = (): string => {
        const lanLast = lanSampler?.last();
        const cloudLast = cloudSampler?.last();
        return `LAN VIP ${lan.vip} last seen on [${lanLast?.holders.join(', ') ?? '?'}]; Elastic IP ${cloud.publicIp} on ${cloudLast?.owner ?? '?'}; ` +
          `roles: ${NODES.map((id) => `${id} ${agent(id).role(id.startsWith('cloud') ? cloud.name : lan.name) ?? '-'}`).join(', ')}`;
      };
      const until = async (cond: () => boolean | Promise<boolean>, ms: number, what: string | (() => string)): Promise<void> => {
        const bound = within(ms);
        const end = nowMs() + bound;
        for (let i = 0; i < bound / 50 + 2; i++) {
          if (await cond()) return;
          if (nowMs() > end) break;
          await sleep(50);
        }
        throw new Error(`timed out after ${Math.round(bound)} ms waiting for ${typeof what === 'string' ? what : what()}\n${detail()}`);
      };
      /** The nodes each node's /v1/members shows alive, other than itself. */
      const alivePeers = async (id: NodeId): Promise<string[]> => {
        const r = await apiGet(socketOf(id), '/v1/members');
        if (r.status !== 200) return [];
        return (JSON.parse(r.body) as Array<{ id: string; state: string }>).filter((m) => m.id !== id && m.state === 'alive').map((m) => m.id).sort();
      };
      const lanAlone = (node: NodeId, since: number): boolean => {
        const s = lanSampler?.last();
        return s !== undefined && s.from > since && s.holders.length === 1 && s.holders[0] === node;
      };
      const cloudOn = (node: NodeId, since: number): boolean => {
        const s = cloudSampler?.last();
        return s !== undefined && s.from > since && s.owner === node;
      };
      const requestsBetween = async (fromWall: number, toWall: number): Promise<FakeRequest[]> =>
        (await (fake as CloudFake).requests()).filter((r) => r.t >= fromWall && r.t <= toWall);
      const callerOf = (r: FakeRequest): string => Object.keys(KEYS).find((id) => KEYS[id]?.accessKeyId === r.caller) ?? r.caller ?? '?';

      try {
        // ---- the network -------------------------------------------------------------------
        topo = await createTopology({ hosts: [...NODES.map((id) => HOST[id]), EC2_HOST], ipv6: false });
        const host = (id: NodeId | typeof EC2_HOST): Host => (topo as Topology).host(id === EC2_HOST ? EC2_HOST : HOST[id]);
        for (const h of topo.hosts) {
          await h.run(['ip', 'link', 'set', 'dev', h.ifname, 'down']);
          await h.run(['ip', 'link', 'set', 'dev', h.ifname, 'name', IFACE]);
          await h.run(['ip', 'link', 'set', 'dev', IFACE, 'up']);
        }
        for (const id of CLOUD) {
          const h = host(id);
          await h.run(['ip', 'addr', 'flush', 'dev', IFACE]);
          await h.run(['ip', 'addr', 'add', `${(files.get(id) as NodeFile).address}/24`, 'dev', IFACE]);
          await h.run(['ip', 'route', 'add', '192.0.2.0/24', 'dev', IFACE]);
        }
        await host(EC2_HOST).run(['ip', 'addr', 'flush', 'dev', IFACE]);
        await host(EC2_HOST).run(['ip', 'addr', 'add', `${EC2_IP}/24`, 'dev', IFACE]);
        for (const id of ONPREM) {
          assert.equal(host(id).ipv4, (files.get(id) as NodeFile).address, `${id}'s namespace has the file's address`);
          await host(id).run(['ip', 'route', 'add', '198.51.100.0/24', 'dev', IFACE]);
        }
        if (await locateTool('nft')) {
          // A VPC carries no multicast and no VRRP: the cloud nodes drop the LAN's adverts.
          const rules = join(dir, 'vpc.nft');
          await writeFile(rules, VPC_RULES);
          for (const id of CLOUD) await host(id).run(['nft', '-f', rules]);
          vpcFiltered = true;
        } else {
          t.diagnostic('nft not installed (Debian package nftables): the cloud namespaces do not drop VRRP and multicast');
        }
        // ---- the EC2 fake in its namespace, and the relay to its control port -------------
        const world = {
          region: REGION,
          credentials: CLOUD.map((id) => KEYS[id]),
          instances: CLOUD.map((id) => ({ instanceId: INSTANCE[id]?.instanceId, az: INSTANCE[id]?.az, enis: [{ eniId: INSTANCE[id]?.eniId, privateIp: (files.get(id) as NodeFile).address }] })),
          addresses: [{ allocationId: cloud.allocationId, publicIp: cloud.publicIp }],
          routeTables: [],
        };
        const worldFile = join(dir, 'ec2-world.json');
        await writeFile(worldFile, `${JSON.stringify(world, null, 2)}\n`);
        fake = await CloudFake.start('ec2', ['--world', worldFile, '--host', EC2_IP], { launcher: ['ip', 'netns', 'exec', host(EC2_HOST).ns], timeoutMs: 30_000 });
        const imds = (fake.info.imds ?? {}) as Record<string, string>;
        t.diagnostic(`EC2 fake at ${fake.endpoint} (region ${String(fake.info.region)}), IMDS ${JSON.stringify(imds)}`);
        relay = await startRelay(host(EC2_HOST).ns, join(dir, 'ec2-control.sock'), new URL(String(fake.info.control)).port);
        fake.route = { socketPath: join(dir, 'ec2-control.sock') };

        // ---- samplers: the LAN VIP in both on-prem namespaces, the Elastic IP in the fake ---
        for (const id of ONPREM) readers.set(id, new AddrReader(host(id).ns, IFACE));
        lanSampler = new HolderSampler(readers, lan.vip, 20, BUDGET_MS);
        cloudSampler = new CloudSampler(fake, cloud.allocationId, 100, BUDGET_MS);

        // ---- the four agents, from the example's files -------------------------------------
        const startAgent = async (id: NodeId): Promise<void> => {
          const f = files.get(id) as NodeFile;
          const doc = parseDocument(await readFile(f.file, 'utf8'));
          doc.set('api', { socket: socketOf(id) });
          const env = id.startsWith('cloud')
            ? cloudFreeEnv({
              AWS_ENDPOINT_URL_EC2: (fake as CloudFake).endpoint,
              AWS_EC2_METADATA_SERVICE_ENDPOINT: imds[INSTANCE[id]?.instanceId ?? ''] ?? '',
              AWS_ACCESS_KEY_ID: KEYS[id]?.accessKeyId ?? '',
              AWS_SECRET_ACCESS_KEY: KEYS[id]?.secretAccessKey ?? '',
              AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
              AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
              AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
              NO_COLOR: '1',
            })
            : cloudFreeEnv({ NO_COLOR: '1' });
          await agent(id).start(host(id).ns, dir, doc.toString(), { env });
        };
        // onprem-2 starts once onprem-1 is the LAN master. Started together, onprem-2 can win
        // the first Master_Down_Interval (its Node program came up sooner) and then be preempted
        // by onprem-1: RFC 5798 preemption holds the VIP on both for one advert's delivery
        // (docs/lan-mode.md "Preemption"), which is VRRP's cold start, not a failover, and
        // would trip the check below that no sample ever shows two holders.
        const t0 = nowMs();
        for (const id of ['onprem-1', 'cloud-1', 'cloud-2'] as const) await startAgent(id);

        // ---- 1. steady state ----------------------------------------------------------------
        await until(() => agent('onprem-1').role(lan.name) === 'MASTER' && lanAlone('onprem-1', t0), FIRST_STEADY_MS, `onprem-1 LAN master with ${lan.vip}`);
        await startAgent('onprem-2');
        await until(() => agent('onprem-2').role(lan.name) === 'BACKUP' && agent('onprem-1').role(lan.name) === 'MASTER' && lanAlone('onprem-1', t0),
          FIRST_STEADY_MS, `onprem-2 LAN backup, onprem-1 master with ${lan.vip} alone`);
        await until(() => agent('cloud-1').role(cloud.name) === 'MASTER' && agent('cloud-2').role(cloud.name) === 'BACKUP' && cloudOn('cloud-1', t0),
          FIRST_STEADY_MS, `cloud-1 cloud master with ${cloud.publicIp} associated to its instance, cloud-2 backup`);
        const members = new Map<NodeId, string[]>();
        await until(async () => {
          for (const id of NODES) members.set(id, await alivePeers(id).catch(() => []));
          return NODES.every((id) => (members.get(id) ?? []).join() === NODES.filter((x) => x !== id).sort().join());
        }, FAILOVER_MS, () => `every node's /v1/members to show the three others alive (last: ${JSON.stringify(Object.fromEntries(members))})`);
        for (const id of NODES) t.diagnostic(`${id} /v1/members alive: ${(members.get(id) ?? []).join(', ')}`);
        t.diagnostic(`steady after ${Math.round(nowMs() - t0)} ms: ${detail()}`);
        const lease1 = agent('cloud-1').lines.find((l) => l.group === cloud.name && /lease granted by \d+ of 3 voters/.test(l.msg));
        assert.ok(lease1, 'cloud-1 took the Elastic IP on a lease of 2 of its 3 voters');
        t.diagnostic(`cloud-1: ${lease1.msg}`);

        // ---- 2. SIGKILL of the LAN master: only the LAN VIP moves ---------------------------
        const lanKill = nowMs();
        const lanKillWall = Date.now();
        agent('onprem-1').signal('SIGKILL');
        await agent('onprem-1').exited(5_000);
        // What the crashed agent left bound (docs/lan-mode.md "After a crash"), removed as
        // `ExecStopPost=vipd cleanup` would; onprem-2 waits Master_Down_Interval first.
        const left = await readers.get('onprem-1')?.has(lan.vip);
        await host('onprem-1').run(['ip', 'addr', 'del', `${lan.vip}/${lan.prefix}`, 'dev', IFACE], { check: false });
        t.diagnostic(`onprem-1 SIGKILLed; its leftover ${lan.vip} ${left ? 'deleted' : 'was not there'} ${Math.round(nowMs() - lanKill)} ms after the kill`);
        await until(() => agent('onprem-2').role(lan.name) === 'MASTER' && lanAlone('onprem-2', lanKill), FAILOVER_MS, `onprem-2 LAN master with ${lan.vip} alone`);
        const lanTake = agent('onprem-2').roleChanges(lanKillWall).find((c) => c.group === lan.name && c.to === 'MASTER');
        t.diagnostic(`onprem-2 took the LAN VIP ${Math.round(nowMs() - lanKill)} ms after the kill: ${lanTake?.msg ?? '?'}`);
        // The cloud side keeps its master for a while longer: two of the cloud group's advert intervals.
        const lanPhaseEnd = nowMs() + 2_000;
        await until(() => nowMs() >= lanPhaseEnd, 3_000, 'the end of the LAN phase');
        const lanPhaseEndWall = Date.now();
        const cloudDuringLan = (cloudSampler.samples).filter((s) => s.from >= lanKill && s.to <= lanPhaseEnd);
        assert.ok(cloudDuringLan.length >= 10, `the fake was read during the LAN failover (${cloudDuringLan.length} samples)`);
        assert.deepEqual([...new Set(cloudDuringLan.map((s) => s.owner))], ['cloud-1'], 'the Elastic IP stayed on cloud-1 while the LAN failed over');
        const movesDuringLan = (await requestsBetween(lanKillWall, lanPhaseEndWall)).filter((r) => /^(Associate|Disassociate)Address$/.test(r.action));
        assert.deepEqual(movesDuringLan.map((r) => `${r.action} by ${callerOf(r)}`), [], 'no Elastic IP request while the LAN failed over');
        for (const id of CLOUD) assert.deepEqual(agent(id).roleChanges(lanKillWall).filter((c) => c.group === cloud.name).map((c) => c.msg), [], `${id}: no role change in the cloud group`);

        // ---- 3. SIGKILL of the cloud master: only the Elastic IP moves, on the witness's vote
        const grantsBefore = grantsGranted((await apiGet(socketOf(witness), '/metrics')).body, cloud.name);
        const cloudKill = nowMs();
        const cloudKillWall = Date.now();
        agent('cloud-1').signal('SIGKILL');
        await agent('cloud-1').exited(5_000);
        const grantsAtDeath = grantsGranted((await apiGet(socketOf(witness), '/metrics')).body, cloud.name);
        await until(() => agent('cloud-2').role(cloud.name) === 'MASTER' && cloudOn('cloud-2', cloudKill), FAILOVER_MS, `cloud-2 cloud master with ${cloud.publicIp} on its instance`);
        const cloudTakeMs = nowMs() - cloudKill;
        const cloudTake = agent('cloud-2').roleChanges(cloudKillWall).find((c) => c.group === cloud.name && c.to === 'MASTER');
        const lease2 = agent('cloud-2').lines.find((l) => l.t >= cloudKillWall && l.group === cloud.name && /lease granted by \d+ of 3 voters/.test(l.msg));
        t.diagnostic(`cloud-2 took the Elastic IP ${Math.round(cloudTakeMs)} ms after the kill: ${cloudTake?.msg ?? '?'}; ${lease2?.msg ?? 'no lease line'}`);
        assert.ok(lease2, 'cloud-2 took the Elastic IP on a lease of 2 of its 3 voters (cloud-1 is dead: itself and the witness)');
        const cloudPhaseEnd = nowMs() + 2_000;
        await until(() => nowMs() >= cloudPhaseEnd, 3_000, 'the end of the cloud phase');
        const grantsAfter = grantsGranted((await apiGet(socketOf(witness), '/metrics')).body, cloud.name);
        t.diagnostic(`${witness}'s vipd_lease_grants_total{group="${cloud.name}",result="granted"}: ${grantsBefore} before the kill, ${grantsAtDeath} at cloud-1's death, ${grantsAfter} two seconds after cloud-2's takeover`);
        assert.ok(grantsAfter > grantsAtDeath, `${witness} granted the cloud group's lease after cloud-1 died (to cloud-2, the only live member advertising it)`);
        // The fake's request log can trail its state by a moment: read it until the move is there (bounded).
        let moves: FakeRequest[] = [];
        for (let i = 0; i < 40; i++) {
          moves = (await requestsBetween(cloudKillWall, Date.now())).filter((r) => /^(Associate|Disassociate)Address$/.test(r.action));
          if (moves.some((r) => r.action === 'AssociateAddress' && callerOf(r) === 'cloud-2')) break;
          await new Promise((res) => setTimeout(res, 50));
        }
        t.diagnostic(`Elastic IP requests after cloud-1's death (${new Date(cloudKillWall).toISOString()}): ${moves.map((r) => `${r.action} by ${callerOf(r)} (${r.status ?? '?'})`).join(', ') || 'none'}; last requests: ${(await (fake as CloudFake).requests()).slice(-3).map((r) => `${new Date(r.t).toISOString()} ${r.action} ${callerOf(r)} ${r.status}`).join('; ')}`);
        assert.ok(moves.some((r) => r.action === 'AssociateAddress' && callerOf(r) === 'cloud-2' && r.status === 200), 'cloud-2 associated the Elastic IP with its instance');
        const lanDuringCloud = lanSampler.samples.filter((s) => s.from >= cloudKill && s.to <= cloudPhaseEnd);
        assert.ok(lanDuringCloud.length >= 20, `the LAN was read during the cloud failover (${lanDuringCloud.length} samples)`);
        assert.deepEqual([...new Set(lanDuringCloud.map((s) => s.holders.join('+')))], ['onprem-2'], `${lan.vip} stayed on onprem-2 while the cloud failed over`);
        assert.deepEqual(agent('onprem-2').roleChanges(cloudKillWall).filter((c) => c.group === lan.name).map((c) => c.msg), [], 'onprem-2: no role change in the LAN group');

        if (vpcFiltered) {
          for (const id of CLOUD) {
            const count = async (chain: string) => [...(await host(id).run(['nft', 'list', 'chain', 'inet', 'vpc', chain], { check: false })).stdout
              .matchAll(/counter packets (\d+)/g)].map((m) => Number(m[1]));
            const [vrrpIn, mcastIn] = await count('ingress');
            const [vrrpOut, mcastOut] = await count('egress');
            t.diagnostic(`${id}: nftables dropped ${vrrpIn ?? '?'} VRRP packets (the LAN's adverts) and ${mcastIn ?? '?'} other multicast packets arriving, ${vrrpOut ?? '?'} and ${mcastOut ?? '?'} leaving`);
            assert.equal(vrrpOut, 0, `${id} sent no VRRP`);
          }
        }

        for (const id of ['onprem-2', 'cloud-2'] as const) {
          const r = await apiGet(socketOf(id), '/v1/members').catch(() => undefined);
          const view = r?.status === 200 ? (JSON.parse(r.body) as Array<{ id: string; state: string }>).map((m) => `${m.id} ${m.state}`).join(', ') : '?';
          t.diagnostic(`${id}'s /v1/members at the end: ${view}`);
        }

        // ---- never two holders, at every sample of the whole run ----------------------------
        await lanSampler.stop();
        await cloudSampler.stop();
        const twice = overlapRuns(lanSampler.samples);
        t.diagnostic(`LAN: ${lanSampler.samples.length} samples (${lanSampler.errors} unreadable), ${twice.length} with two holders; cloud: ${cloudSampler.samples.length} samples (${cloudSampler.errors.length} unreadable)`);
        assert.deepEqual(twice.map((run) => `${run.length} sample(s) from +${Math.round((run[0]?.from ?? 0) - t0)} ms: ${run[0]?.holders.join('+')}`), [], `${lan.vip} on both on-prem hosts`);
        const strangers = cloudSampler.samples.filter((s) => s.owner !== null && !CLOUD.includes(s.owner as NodeId));
        assert.deepEqual(strangers.map((s) => s.owner), [], `${cloud.publicIp} associated with an instance that is no cloud node`);
        const owners: Array<string | null> = [];
        for (const s of cloudSampler.samples) if (owners[owners.length - 1] !== s.owner) owners.push(s.owner);
        assert.deepEqual(owners.filter((o) => o !== null), ['cloud-1', 'cloud-2'], `the Elastic IP went to cloud-1, then to cloud-2, once each (owners in order: ${owners.join(' -> ')})`);
      } catch (err) {
        const requests = fake ? await fake.requests().catch(() => [] as FakeRequest[]) : [];
        t.diagnostic(`FAILED: ${(err as Error).message.split('\n')[0]}`);
        process.stderr.write(`\n==== mixed fleet: node logs ====\n${logs()}\n==== EC2 fake: ${requests.length} requests ====\n` +
          `${requests.slice(-60).map((r) => `${new Date(r.t).toISOString().slice(11, 23)} ${r.action} by ${callerOf(r)} -> ${r.status ?? '?'}${r.error ? ` ${r.error}` : ''}`).join('\n')}\n` +
          `fake stderr: ${fake?.errors().slice(-2000) ?? ''}\n`);
        throw err;
      } finally {
        await lanSampler?.stop();
        await cloudSampler?.stop();
        for (const r of readers.values()) r.close();
        for (const a of agents.values()) await a.kill();
        relay?.kill('SIGKILL');
        await fake?.stop(1_000).catch(() => undefined);
        await topo?.destroy();
      }
    });
});
