/**
 * Compute Engine operations (compute#operation): a mutation answers with an operation that is
 * RUNNING and lands its change only when the operation turns DONE, `delayMs` later — so a
 * provider that reads back before waiting sees the old state, as on GCP. A change that can no
 * longer be made when it lands (someone took the address meanwhile) ends the operation DONE with
 * `error.errors[]`, which the client does not throw for
 * (https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses#handling_api_responses).
 * While an operation runs on an instance, the instance refuses another (resourceNotReady).
 */
import type { Instance, Operation, OperationError, OperationScope, World } from './world.js';

export interface StartOperation {
  scope: OperationScope;
  operationType: string;
  targetLink: string;
  targetId?: string;
  user: string;
  /** The instance the operation runs on (blocks further mutations until DONE). */
  instance?: Instance;
  /** Makes the change; returns the errors that fail the operation instead. */
  apply: () => OperationError[] | undefined;
}

export class Operations {
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Operations still RUNNING, with what lands when they finish. */
  private readonly running = new Map<string, { op: Operation; start: StartOperation; timer: NodeJS.Timeout }>();
  private readonly waiters = new Map<string, Set<() => void>>();
  private seq = 0;

  constructor(
    private readonly world: World,
    private readonly delayMs: () => number,
  ) {}

  start(o: StartOperation): Operation {
    this.seq += 1;
    const now = new Date();
    const op: Operation = {
      id: this.world.nextId(),
      name: `operation-${now.getTime()}-${this.seq.toString(16).padStart(13, '0')}-fa4e0001-${this.seq.toString(16).padStart(8, '0')}`,
      scope: o.scope,
      operationType: o.operationType,
      targetLink: o.targetLink,
      ...(o.targetId !== undefined ? { targetId: o.targetId } : {}),
      status: 'RUNNING',
      progress: 0,
      user: o.user,
      insertTime: now.toISOString(),
      startTime: now.toISOString(),
    };
    if (o.instance) o.instance.pendingOp = op.name;
    this.world.putOperation(op);
    const delay = this.delayMs();
    if (delay <= 0) this.finish(op, o);
    else this.running.set(op.name, { op, start: o, timer: setTimeout(() => this.finish(op, o), delay) });
    return op;
  }

  /** Finish every running operation now, in the order they started (tests that hold operations open). */
  settle(): void {
    for (const { op, start } of [...this.running.values()]) this.finish(op, start);
  }

  private finish(op: Operation, o: StartOperation): void {
    const r = this.running.get(op.name);
    if (r) clearTimeout(r.timer);
    this.running.delete(op.name);
    const errors = o.apply();
    op.status = 'DONE';
    op.progress = 100;
    op.endTime = new Date().toISOString();
    if (errors && errors.length > 0) {
      op.error = errors;
      op.httpErrorStatusCode = 400;
      op.httpErrorMessage = 'BAD REQUEST';
    }
    if (o.instance && o.instance.pendingOp === op.name) delete o.instance.pendingOp;
    this.world.snapshot();
    const ws = this.waiters.get(op.name);
    this.waiters.delete(op.name);
    for (const w of ws ?? []) w();
  }

  /** Resolves when the operation is DONE, or after `capMs` (operations.wait answers RUNNING then, like GCP's 2-minute cap). */
  waitDone(op: Operation, capMs: number): Promise<void> {
    if (op.status === 'DONE') return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(op.name) ?? new Set();
      this.waiters.set(op.name, set);
      const done = (): void => {
        clearTimeout(t);
        this.timers.delete(t);
        set.delete(done);
        resolve();
      };
      const t = setTimeout(done, capMs);
      this.timers.add(t);
      set.add(done);
    });
  }

  close(): void {
    for (const r of this.running.values()) clearTimeout(r.timer);
    this.running.clear();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const ws of this.waiters.values()) for (const w of ws) w();
    this.waiters.clear();
  }
}
