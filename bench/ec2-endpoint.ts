/**
 * The cloud phase's EC2 API: the strict EC2 fake (test/fakes/ec2) running inside the bench
 * process, so its request timestamps (performance.now() at arrival) and the bench's fault time
 * share one clock. The fake itself listens on 127.0.0.1 of the bench's namespace, which the
 * agents in the lab's namespaces cannot reach; each HA node instead gets a listener on
 * 127.0.0.1 inside its own namespace (bench/programs/ns-listener.ts hands the socket over), and
 * the bench forwards each connection to the fake byte for byte. So the agents' EC2 endpoint is
 * `http://127.0.0.1:PORT` on their own host, and nothing outside those namespaces can reach it.
 *
 * Each node signs with its own key pair (both AWS's documented example keys), so the fake's log
 * says which node sent a request. A fresh fake ("world") per run: no fence tag, association or
 * request of one run leaks into the next.
 */
import { spawn } from 'node:child_process';
import { connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEc2Fake, type Ec2Fake, type RequestRecord } from '../test/fakes/ec2/index.js';
import type { CloudEvent } from './cloud-measure.js';
import { ROOT, TSX_IMPORT } from './vipd-build.js';

export const CLOUD_REGION = 'us-east-1';
/** Documentation ranges only: VPC addresses from 198.51.100.0/24, the Elastic IP from 203.0.113.0/24. */
const PRIVATE_IP: Readonly<Record<CloudNodeName, string>> = { a: '198.51.100.11', b: '198.51.100.12' };
const PUBLIC_IP = '203.0.113.10';
/** AWS's documented example access keys (AWS General Reference, "Understanding and getting your AWS credentials"). */
const KEYS: Readonly<Record<CloudNodeName, { accessKeyId: string; secretAccessKey: string }>> = {
  a: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  b: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' },
};

export type CloudNodeName = 'a' | 'b';

export interface CloudNode {
  readonly instanceId: string;
  readonly eniId: string;
  readonly privateIp: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** One run's EC2: an Elastic IP, unassociated at first, and an instance per HA node. */
export interface CloudWorld {
  readonly fake: Ec2Fake;
  readonly region: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly nodes: Readonly<Record<CloudNodeName, CloudNode>>;
  /** Every request, in the order their outcome was known, with the owner right after it. */
  readonly events: CloudEvent[];
  /** Which HA node holds the address now (the fake's state). */
  owner(): CloudNodeName | undefined;
}

/** A listening socket made inside `ns` (bench/programs/ns-listener.ts). */
function listenerIn(ns: string): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--import', TSX_IMPORT, join(ROOT, 'bench', 'programs', 'ns-listener.ts')], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listener from namespace ${ns} within 20 s${stderr ? `: ${stderr.trim()}` : ''}`));
    }, 20_000);
    child.once('message', (m: { port?: number }, handle: unknown) => {
      clearTimeout(timer);
      if (typeof m?.port !== 'number' || !handle || typeof (handle as Server).listening !== 'boolean') {
        reject(new Error(`ns-listener in ${ns} sent no socket (${JSON.stringify(m)})`));
        return;
      }
      resolve({ server: handle as Server, port: m.port });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ns-listener in ${ns} exited (${code}) before sending its socket${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
}

export class CloudEndpoint {
  private world: CloudWorld | undefined;
  private readonly sockets = new Set<Socket>();
  /** When each node opened a connection since the current world started (the CLI opens one per call; a warm SDK keeps one). */
  private accepted: Array<{ node: CloudNodeName; at: number }> = [];

  private constructor(private readonly listeners: ReadonlyMap<CloudNodeName, { server: Server; port: number }>) {
    for (const [node, l] of listeners) l.server.on('connection', (s: Socket) => this.forward(node, s));
  }

  /** Opens a listener in each node's namespace. */
  static async open(namespaces: Readonly<Record<CloudNodeName, string>>): Promise<CloudEndpoint> {
    const made = new Map<CloudNodeName, { server: Server; port: number }>();
    try {
      for (const node of ['a', 'b'] as const) made.set(node, await listenerIn(namespaces[node]));
    } catch (err) {
      for (const l of made.values()) l.server.close();
      throw err;
    }
    return new CloudEndpoint(made);
  }

  /** The EC2 endpoint as `node` sees it: 127.0.0.1 inside its own namespace. */
  endpoint(node: CloudNodeName): string {
    const l = this.listeners.get(node);
    if (!l) throw new Error(`no EC2 listener for ${node}`);
    return `http://127.0.0.1:${l.port}`;
  }

  /** Connections each node opened since `since` (performance.now()), or since the world started. */
  connections(since = -Infinity): Record<CloudNodeName, number> {
    const n = { a: 0, b: 0 };
    for (const c of this.accepted) if (c.at >= since) n[c.node] += 1;
    return n;
  }

  private forward(node: CloudNodeName, down: Socket): void {
    const port = this.world ? Number(new URL(this.world.fake.endpoint).port) : undefined;
    if (port === undefined) {
      down.destroy();
      return;
    }
    this.accepted.push({ node, at: performance.now() });
    const up = connect(port, '127.0.0.1');
    for (const s of [down, up]) {
      s.setNoDelay(true);
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => {
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up);
    up.pipe(down);
  }

  /** Closes the previous run's fake (and every connection to it) and starts a fresh one. */
  async newWorld(latencyMs: number): Promise<CloudWorld> {
    await this.closeWorld();
    const fake = await startEc2Fake({ apiLatencyMs: latencyMs, seed: 9, region: CLOUD_REGION, credentials: [KEYS.a, KEYS.b] });
    const node = (n: CloudNodeName): CloudNode => {
      const i = fake.addInstance({ enis: [{ privateIp: PRIVATE_IP[n] }] });
      const eni = i.enis[0];
      if (!eni) throw new Error('the fake built an instance without an ENI');
      return { instanceId: i.instanceId, eniId: eni.eniId, privateIp: eni.privateIp, credentials: KEYS[n] };
    };
    const nodes = { a: node('a'), b: node('b') };
    const { allocationId, publicIp } = fake.addAddress({ publicIp: PUBLIC_IP });
    const byKey = new Map<string, CloudNodeName>([[KEYS.a.accessKeyId, 'a'], [KEYS.b.accessKeyId, 'b']]);
    const byEni = new Map<string, CloudNodeName>([[nodes.a.eniId, 'a'], [nodes.b.eniId, 'b']]);
    const owner = (): CloudNodeName | undefined => {
      const eni = fake.addressOwner(allocationId)?.eniId;
      return eni === undefined ? undefined : byEni.get(eni);
    };
    const events: CloudEvent[] = [];
    // Emitted when the outcome is known (after the latency), right after any change was applied.
    fake.on('request', (r: RequestRecord) => {
      events.push({ node: r.accessKeyId === undefined ? undefined : byKey.get(r.accessKeyId), action: r.action, at: r.at, doneAt: performance.now(), status: r.status, ...(r.error ? { error: r.error } : {}), owner: owner() });
    });
    this.accepted = [];
    this.world = { fake, region: fake.region, allocationId, publicIp, nodes, events, owner };
    return this.world;
  }

  private async closeWorld(): Promise<void> {
    const w = this.world;
    this.world = undefined;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await w?.fake.close();
  }

  async close(): Promise<void> {
    await this.closeWorld();
    for (const l of this.listeners.values()) l.server.close();
  }
}
