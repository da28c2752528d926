/** What one cloud-phase run records (bench/cloud.ts), and the names the report uses. */
import type { CloudEvent, CloudTimes } from './cloud-measure.js';
import type { ImplId } from './options.js';

export const CLOUD_SCENARIOS = ['agent-crash', 'graceful-stop'] as const;
export type CloudScenario = (typeof CLOUD_SCENARIOS)[number];
/** The two sides: keepalived + the AWS CLI, and vipd (unicast, with its witness) + the aws provider. */
export const CLOUD_SIDES = ['keepalived', 'vipd-unicast'] as const satisfies readonly ImplId[];
export type CloudSide = (typeof CLOUD_SIDES)[number];
export const CLOUD_SIDE_LABEL: Readonly<Record<CloudSide, string>> = { keepalived: 'keepalived + aws CLI', 'vipd-unicast': 'vipd aws eip' };

export interface CloudRecord {
  readonly type: 'cloud';
  readonly impl: CloudSide;
  readonly scenario: CloudScenario;
  readonly run: number;
  readonly at: string;
  readonly latencyMs: number;
  readonly error?: string;
  /** Agent start → steady (a master, the address on a's ENI). */
  readonly readyMs?: number;
  readonly times?: CloudTimes;
  /** Where the decision time came from, and (vipd) how long its log line took to reach the bench. */
  readonly decision?: { readonly source: 'log-time' | 'line-arrival'; readonly lineLagMs?: number; readonly text: string };
  /** TCP connections each node opened to the EC2 endpoint during the run (the CLI: one per call). */
  readonly connections?: Readonly<Record<'a' | 'b', number>>;
  /** …of which after the fault: a warm provider opens none, the CLI one. */
  readonly connectionsAfterFault?: Readonly<Record<'a' | 'b', number>>;
  /**
   * The bench process's event-loop delay from the fault to the end of the run (monitorEventLoopDelay,
   * 1 ms resolution): the fake runs in it, so a request's arrival time can be read late by up to this.
   */
  readonly benchLoopDelayMs?: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Packets a or b tried to send anywhere but loopback and the lab's own subnet (must be 0). */
  readonly strayPackets?: number;
  /** Every request of the run, times relative to the fault (recompute with cloudTimes, faultAt 0). */
  readonly events?: readonly CloudEvent[];
}

