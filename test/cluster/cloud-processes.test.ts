/**
 * Issue 9 acceptance: two vipd nodes and a witness — real processes, gRPC with mutual TLS on
 * loopback — with each cloud provider mode against the strict local fakes (test/fakes/ec2,
 * test/fakes/gcp, run as child processes). Killing the master moves the resource to the other
 * node; the dead node sends nothing after its death and the new master's fence records carry a
 * higher term; a move made behind vipd's back is repaired by the master's reconcile loop.
 * The harness is test/cluster/cloud-pair.ts. Modes missing a piece are skipped with the reason.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FakeRequest } from '../../src/cli/cloud-fake.js';
import { CloudPair, cloudSkipReason, fencesIn } from './cloud-pair.js';
import { CLOUD_MODES, cloudMode } from './cloud-modes.js';

/** Bounds for waiting on processes (never asserted as speeds): start-up, failover. */
const ELECT_MS = 60_000;
const MOVE_MS = 30_000;
const REASSERT = '1s';

/** Requests that change nothing: EC2 Describe*, Compute get/list/wait, permission checks, DryRun. */
const READ_ONLY = /^Describe|\.(get|list|aggregatedList|wait|testIamPermissions)$/;
const changes = (r: FakeRequest) => !READ_ONLY.test(r.action) && (r.params as Record<string, unknown> | undefined)?.DryRun !== 'true';

for (const mode of CLOUD_MODES) {
  const skip = await cloudSkipReason(mode);
  describe(`${mode.name}: two vipd processes and a witness against the fake`, { skip: skip ?? false }, () => {
    let pair: CloudPair | undefined;
    before(async () => {
      pair = await CloudPair.start(mode, { reassertInterval: REASSERT });
    });
    after(() => pair?.destroy());

    it('exactly one member holds the resource, the higher-priority one', async () => {
      const p = pair!;
      await p.waitForHolder('a', ELECT_MS);
      await p.waitForSteadyBackup('b', 1_000, ELECT_MS);
      // The master asserts its fence record while it holds the resource (providers/common/fence.ts).
      await p.waitUntil(async () => (await p.fencesBy('a')).length > 0, MOVE_MS, 'a fence record written by a');
      if (mode.bindsLocally) {
        await p.waitUntil(async () => (await p.bound('a')).includes(mode.vips[0]!), MOVE_MS, `${mode.vips[0]} bound on a's interface`);
      }
      assert.deepEqual(await p.holders(), ['a']);
    });

    it('SIGKILL of the master moves it to the other member; nothing from the dead node after its death; the new master fences with a higher term', async () => {
      const p = pair!;
      const oldTerm = Math.max(...(await p.fencesBy('a')).map((f) => f.term));
      assert.ok(Number.isFinite(oldTerm), 'a wrote a fence record before it was killed');
      const deathAt = await p.kill('a');
      await p.waitForHolder('b', MOVE_MS);
      console.log(`# ${mode.name}: the ${mode.resource} is on b ${Date.now() - deathAt} ms after a's death`);
      if (mode.bindsLocally) {
        await p.waitUntil(async () => (await p.bound('b')).includes(mode.vips[0]!), MOVE_MS, `${mode.vips[0]} bound on b's interface`);
      }
      // The fence record may follow the move itself (EC2: CreateTags after AssignPrivateIpAddresses).
      await p.waitUntil(async () => (await p.fencesBy('b', deathAt)).length > 0, MOVE_MS, "b's fence record");
      const fences = await p.fencesBy('b', deathAt);
      const log = await p.requests();
      const fromDead = log.filter((r) => r.member === 'a' && r.t > deathAt);
      assert.deepEqual(fromDead.map((r) => `${r.action} at +${r.t - deathAt} ms`), [], 'no request from the dead node after its death');
      const taken = log.filter((r) => r.member === 'b' && r.t > deathAt && changes(r));
      assert.ok(taken.length > 0, `b changed something after a's death: ${JSON.stringify(log.slice(-10))}`);
      const story = () => `${JSON.stringify(log.filter((r) => fencesIn(r).length > 0).map((r) => ({ member: r.member, dt: Math.round(r.t - deathAt), fences: fencesIn(r) })))}\n` +
        p.cluster.logs.filter((e) => / -> [A-Z]+ \(|lease|conflict/.test(e.msg)).map((e) => `${e.node} ${e.t - deathAt} ${e.msg} term=${String(e.term)}`).join('\n');
      for (const f of fences) {
        assert.equal(f.node, 'b');
        assert.ok(f.term > oldTerm, `b's fence term ${f.term} is above the dead master's ${oldTerm}\n${story()}`);
      }
      // Nothing but members called the fake, and nobody else holds it.
      assert.deepEqual(log.filter((r) => r.member === undefined).map((r) => r.action), []);
      assert.deepEqual(await p.holders(), ['b']);
    });

    it(`SIGTERM: the master ${mode.releaseLeavesIt ? 'marks its fence record released' : 'releases the resource'} and every node exits 0`, async () => {
      const p = pair!;
      const stoppedAt = Date.now();
      p.cluster.signal('b', 'SIGTERM');
      assert.equal(await p.cluster.exited('b', MOVE_MS), 0, p.cluster.tail(20));
      if (mode.releaseLeavesIt) {
        // The resource stays; b's record says it let go, so it fences nobody.
        const last = (await p.fences()).filter((f) => f.node === 'b' && f.atMs >= stoppedAt).at(-1);
        assert.equal(last?.released, true, `${mode.releaseLeavesIt}: b's last fence record is marked released`);
      } else {
        assert.deepEqual(await p.holders(), [], 'released on the way out');
      }
      p.cluster.signal(p.run.witness, 'SIGTERM');
      assert.equal(await p.cluster.exited(p.run.witness, MOVE_MS), 0);
    });
  });
}

/** Modes whose fake can move the resource to the other member directly. */
const REPAIRED = ['aws eip', 'gcp alias-ip'];

for (const name of REPAIRED) {
  const mode = cloudMode(name);
  const skip = await cloudSkipReason(mode);
  describe(`${mode.name}: a move made behind vipd's back is repaired by the master's reconcile loop`, { skip: skip ?? false }, () => {
    let pair: CloudPair | undefined;
    before(async () => {
      pair = await CloudPair.start(mode, { reassertInterval: REASSERT, clusterId: `e2e-repair-${mode.fake}` });
      await pair.waitForHolder('a', ELECT_MS);
    });
    after(() => pair?.destroy());

    for (const to of ['b', undefined] as const) {
      it(`moved to ${to ?? 'no instance'}: the master takes it back; the backup does not act`, async () => {
        const p = pair!;
        // Start from a quiet backup: b's own start-up calls (preflight, a release after a short
        // mastership while a was still joining) are over when it has sent nothing for 2 s.
        await p.waitUntil(async () => !(await p.requests()).some((r) => r.member === 'b' && r.t > Date.now() - 2_000), MOVE_MS, 'b quiet for 2 s');
        const movedAt = Date.now();
        await mode.moveBehindVipd(p.fake, to === undefined ? undefined : p.member(to), p.run.members);
        assert.deepEqual(await p.holders(), to === undefined ? [] : [to], 'the fake moved it');
        await p.waitForHolder('a', MOVE_MS);
        console.log(`# ${mode.name}: moved to ${to ?? 'nobody'}; back on a ${Date.now() - movedAt} ms later (reassert_interval ${REASSERT})`);
        const log = (await p.requests()).filter((r) => r.t >= movedAt && changes(r));
        assert.ok(log.some((r) => r.member === 'a'), 'the master repaired it');
        assert.deepEqual(log.filter((r) => r.member !== 'a').map((r) => `${r.member ?? '?'}: ${r.action}`), [], 'only the master acts');
      });
    }
  });
}

{
  const mode = cloudMode('aws eip');
  const skip = await cloudSkipReason(mode);
  describe(`${mode.name}: a member that starts after the master died`, { skip: skip ?? false }, () => {
    let pair: CloudPair | undefined;
    before(async () => {
      pair = await CloudPair.start(mode, { reassertInterval: REASSERT, clusterId: 'e2e-late', startOnly: ['a', 'witness'] });
    });
    after(() => pair?.destroy());

    // b never hears a's adverts, so it starts from term 0; the witness remembers that it granted
    // a at term 1 and refuses b at a term not above it (term-behind, docs/leases.md "Terms"), and
    // b re-takes at a higher term: the dead master's fence record can never equal the new one's.
    it('takes over with a term above the dead master\'s (leases.md A5: terms increase at each takeover)', async () => {
      const p = pair!;
      await p.waitForHolder('a', ELECT_MS);
      await p.waitUntil(async () => (await p.fencesBy('a')).length > 0, MOVE_MS, "a's fence record");
      const oldTerm = Math.max(...(await p.fencesBy('a')).map((f) => f.term));
      const deathAt = await p.kill('a');
      p.cluster.start('b');
      await p.waitForHolder('b', MOVE_MS);
      await p.waitUntil(async () => (await p.fencesBy('b', deathAt)).length > 0, MOVE_MS, "b's fence record");
      const terms = (await p.fencesBy('b', deathAt)).map((f) => f.term);
      assert.ok(terms.every((t) => t > oldTerm), `b fenced with terms ${terms.join(', ')}; the dead master held ${oldTerm}`);
    });
  });
}
