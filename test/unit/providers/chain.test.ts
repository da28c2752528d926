import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChainProvider } from '../../../providers/common/chain.js';
import { ProviderError, type ProviderRequest, type StatusReport, type VipProvider, type VipStatus } from '../../../src/ports/vip-provider.js';

/** A member that records every call in a shared log and can be told to fail one operation. */
class Member implements VipProvider {
  held = false;
  failOn: 'validate' | 'acquire' | 'release' | 'close' | undefined;
  statusOverride: VipStatus | undefined;
  constructor(readonly kind: string, private readonly log: string[]) {}

  private step(op: 'validate' | 'acquire' | 'release' | 'close'): void {
    this.log.push(`${op} ${this.kind}`);
    if (this.failOn === op) throw new ProviderError(op, this.kind, 'auth', { detail: 'refused', hint: `grant ${this.kind}` });
  }
  async validate(): Promise<void> {
    this.step('validate');
  }
  async status(): Promise<StatusReport> {
    return { status: this.statusOverride ?? (this.held ? 'held' : 'not-held'), detail: `${this.kind} detail`, ...(this.held && { holder: `node-of-${this.kind}` }) };
  }
  async acquire(): Promise<void> {
    this.step('acquire');
    this.held = true;
  }
  async release(): Promise<void> {
    this.step('release');
    this.held = false;
  }
  async close(): Promise<void> {
    this.step('close');
  }
}

function chainOf(...kinds: string[]): { chain: ChainProvider; members: Member[]; log: string[] } {
  const log: string[] = [];
  const members = kinds.map((k) => new Member(k, log));
  return { chain: new ChainProvider(members), members, log };
}

const request = (term = 1, signal = new AbortController().signal): ProviderRequest => ({ term, reason: 'test', signal });
const live = () => new AbortController().signal;

test('acquire in the listed order, release in reverse; kind names every member', async () => {
  const { chain, log } = chainOf('a', 'b', 'c');
  assert.equal(chain.kind, 'a+b+c');
  await chain.acquire(request());
  assert.equal((await chain.status(live())).status, 'held');
  await chain.release(request());
  assert.deepEqual(log, ['acquire a', 'acquire b', 'acquire c', 'release c', 'release b', 'release a']);
  assert.equal((await chain.status(live())).status, 'not-held');
});

test('a failure half-way through acquire: the earlier ones stay acquired, the rest untouched, status not-held', async () => {
  const { chain, members, log } = chainOf('eip', 'route', 'extra');
  const [eip, route, extra] = members as [Member, Member, Member];
  route.failOn = 'acquire';
  await assert.rejects(chain.acquire(request()), (err: unknown) => err instanceof ProviderError && err.errorClass === 'auth' && err.message.includes('grant route'));
  assert.deepEqual(log, ['acquire eip', 'acquire route']);
  assert.equal(eip.held, true);
  assert.equal(route.held, false);
  assert.equal(extra.held, false);
  const report = await chain.status(live());
  assert.equal(report.status, 'not-held', 'held only when every member is');
  assert.equal(report.detail, 'eip: held (eip detail); route: not-held (route detail); extra: not-held (extra detail)');
  assert.equal(report.holder, 'node-of-eip');
  // The driver retries acquire (idempotent): it carries on from where it stopped.
  route.failOn = undefined;
  await chain.acquire(request());
  assert.equal((await chain.status(live())).status, 'held');
});

test('status: unknown when any member cannot tell, even if the others are held', async () => {
  const { chain, members } = chainOf('a', 'b');
  await chain.acquire(request());
  (members[1] as Member).statusOverride = 'unknown';
  assert.equal((await chain.status(live())).status, 'unknown');
});

test('release goes on past a failing member and throws its error afterwards', async () => {
  const { chain, members, log } = chainOf('a', 'b', 'c');
  await chain.acquire(request());
  log.length = 0;
  (members[1] as Member).failOn = 'release';
  await assert.rejects(chain.release(request()), /release b: refused \(grant b\)/);
  assert.deepEqual(log, ['release c', 'release b', 'release a']);
  assert.equal((members[0] as Member).held, false, 'a is released although b failed');
  assert.equal((members[2] as Member).held, false);
});

test('a superseded decision acquires nothing more', async () => {
  const { chain, members, log } = chainOf('a', 'b');
  const controller = new AbortController();
  // The first member's acquire is where the decision is superseded.
  (members[0] as Member).acquire = async () => {
    log.push('acquire a');
    controller.abort(new Error('superseded'));
  };
  await assert.rejects(chain.acquire(request(1, controller.signal)), /superseded/);
  assert.deepEqual(log, ['acquire a']);
});

test('validate runs every member and throws the first failure in list order; close closes all', async () => {
  const { chain, members, log } = chainOf('a', 'b', 'c');
  (members[1] as Member).failOn = 'validate';
  (members[2] as Member).failOn = 'validate';
  await assert.rejects(chain.validate(live()), /validate b: refused/);
  assert.deepEqual(log.sort(), ['validate a', 'validate b', 'validate c']);
  log.length = 0;
  (members[0] as Member).failOn = 'close';
  await assert.rejects(chain.close(), /close a/);
  assert.deepEqual(log.sort(), ['close a', 'close b', 'close c']);
});

test('an empty chain is a configuration error', () => {
  assert.throws(() => new ChainProvider([]), (err: unknown) => err instanceof ProviderError && err.errorClass === 'invalid');
});
