/**
 * Two vipd members and a witness, real processes on 127.0.0.1 (gRPC, mutual TLS, unicast, quorum
 * majority), each member pretending to be a different cloud instance of one fake (its own
 * metadata server and credentials in its environment, every other AWS_ / GOOGLE_ / CLOUDSDK_
 * variable of this process cleared), with one cloud provider mode. For `vipd demo --cloud` and
 * the multi-process tests (test/cluster/cloud-pair.ts).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFake, cloudFreeEnv } from './cloud-fake.js';
import type { CloudMember, CloudMode } from './cloud-mode.js';
import { LocalCluster, type ProcSpec } from './local-cluster.js';

export interface CloudClusterOptions {
  readonly clusterId: string;
  /** How to start `vipd` (default: this program again). */
  readonly command?: string[];
  /** Runs the fake and every node under this program, e.g. ['ip', 'netns', 'exec', NS]. */
  readonly launcher?: string[];
  /** The group's reassert_interval (YAML duration). */
  readonly reassertInterval: string;
  /** Extra arguments for the fake's serve.ts (after --world FILE). */
  readonly fakeArgs?: readonly string[];
  readonly witness?: string;
  /** Nodes and the fake in their own process groups (the demo: Ctrl-C reaches only it; src/cli/local-cluster.ts). */
  readonly detached?: boolean;
}

export class CloudCluster {
  fake: CloudFake | undefined;
  cluster: LocalCluster | undefined;
  private worldDir = '';

  constructor(
    readonly mode: CloudMode,
    readonly members: readonly CloudMember[],
    readonly opts: CloudClusterOptions,
  ) {}

  get witness(): string {
    return this.opts.witness ?? 'witness';
  }

  /** Starts the fake and writes every node's configuration; `startAll()` on `cluster` starts them. */
  async prepare(): Promise<{ fake: CloudFake; cluster: LocalCluster }> {
    this.worldDir = await mkdtemp(join(tmpdir(), `vipd-${this.opts.clusterId}-world-`));
    const worldFile = join(this.worldDir, 'world.json');
    await writeFile(worldFile, `${JSON.stringify(this.mode.world(this.members), null, 2)}\n`);
    const fake = await CloudFake.start(this.mode.fake, ['--world', worldFile, ...(this.opts.fakeArgs ?? [])], {
      ...(this.opts.launcher ? { launcher: this.opts.launcher } : {}),
      detached: this.opts.detached ?? false,
    });
    this.fake = fake;
    const ids = this.members.map((m) => m.id);
    const specs: ProcSpec[] = this.members.map((m) => ({
      id: m.id,
      priority: m.priority,
      peers: ids.filter((x) => x !== m.id),
      witnesses: [this.witness],
      quorum: 'majority',
      preempt: true,
      env: cloudFreeEnv({ ...this.mode.env(fake, m, this.worldDir), NO_COLOR: '1' }),
      group: {
        interface: m.interface ?? 'lo',
        vips: [...this.mode.vips],
        lines: [`    reassert_interval: ${this.opts.reassertInterval}`, ...this.mode.groupLines(fake, m, this.members)],
      },
    }));
    specs.push({ id: this.witness, role: 'witness', env: cloudFreeEnv({ NO_COLOR: '1' }) });
    this.cluster = new LocalCluster(specs, this.opts.clusterId, this.opts.command, {
      ...(this.opts.launcher ? { launcher: this.opts.launcher } : {}),
      detached: this.opts.detached ?? false,
    });
    await this.cluster.prepare();
    return { fake, cluster: this.cluster };
  }

  member(id: string): CloudMember {
    const m = this.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id} (have ${this.members.map((x) => x.id).join(', ')})`);
    return m;
  }

  /** The member pretending to be `instance`, for people ("i-0a1… (node-a)"). */
  describe(instance: string | undefined): string {
    if (instance === undefined) return 'no instance';
    const m = this.members.find((x) => x.instance === instance);
    return m ? `${instance} (${m.id})` : instance;
  }

  /** The members holding the resource per the fake's truth (node ids; instances of no member as they are). */
  async holders(): Promise<string[]> {
    if (!this.fake) return [];
    const instances = await this.mode.holders(this.fake, this.members);
    return instances.map((i) => this.members.find((m) => m.instance === i)?.id ?? i).sort();
  }

  /** Stops every node gracefully (SIGTERM), then the fake. */
  async stop(): Promise<void> {
    await this.cluster?.stopAll();
    await this.fake?.stop();
  }

  /** Kills whatever still runs and removes the temporary files. */
  async destroy(): Promise<void> {
    await this.cluster?.destroy();
    await this.fake?.stop(1_000);
    if (this.worldDir) await rm(this.worldDir, { recursive: true, force: true });
  }
}
