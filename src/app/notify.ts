/** The notify hooks of a configuration (docs/notify.md), and a node that drains them on stop. */
import type { Member } from '../core/membership/types.js';
import type { CheckState } from '../core/health/check.js';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ExecProbe } from '../adapters/health/exec-probe.js';
import type { VipdConfig } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { GroupStatus } from '../runtime/instance-runner.js';
import type { RunningNode } from '../runtime/cluster-node.js';
import { NotifyHooks, type GroupNotify } from '../runtime/notify.js';

/** How long a stop waits for the hooks it queued (notify stop, the last webhooks). */
export const NOTIFY_DRAIN_MS = 5_000;

export function buildNotify(config: VipdConfig, clock: Clock, logger: Logger, metrics: Metrics): NotifyHooks | undefined {
  const groups = new Map<string, GroupNotify>();
  for (const g of config.groups) if (g.notify) groups.set(g.name, g.notify);
  if (groups.size === 0) return undefined;
  return new NotifyHooks({
    groups, clock, metrics, logger: logger.child({ component: 'notify' }),
    run: (argv, signal) => new ExecProbe(argv).run(signal),
    post: postJson,
  });
}

/** One POST with a JSON body; resolves with the status (the body is read and dropped). */
function postJson(url: string, body: string, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(u, { method: 'POST', signal, agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'vipd-notify' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** `node`, whose stop also waits (bounded) for the notify hooks its last role changes queued. */
export class NotifyingNode implements RunningNode {
  constructor(
    private readonly node: RunningNode,
    private readonly hooks: NotifyHooks,
  ) {}
  get metrics(): Metrics {
    return this.node.metrics;
  }
  get address(): string {
    return this.node.address;
  }
  start(signal?: AbortSignal): Promise<void> {
    return this.node.start(signal);
  }
  async stop(): Promise<void> {
    try {
      await this.node.stop();
    } finally {
      await this.hooks.drain(NOTIFY_DRAIN_MS);
    }
  }
  groupStatus(): GroupStatus[] {
    return this.node.groupStatus();
  }
  members(): ReadonlyMap<string, Member> {
    return this.node.members();
  }
  checkStates(): ReadonlyMap<string, CheckState> {
    return this.node.checkStates();
  }
  setMaintenance(group: string, on: boolean): Promise<boolean> {
    return this.node.setMaintenance(group, on);
  }
  setBoost(group: string, by: number): boolean {
    return this.node.setBoost(group, by);
  }
}
