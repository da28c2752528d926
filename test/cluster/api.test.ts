/**
 * The API of `vipd run` (docs/api.md), on three real processes on loopback (gRPC, mutual TLS,
 * noop provider): the Unix socket and HTTP answer the same routes; /metrics parses with a real
 * Prometheus text-format parser and names every metric; events are numbered; the WebSocket
 * streams a failover; promote and maintenance move the VIP and give it back; bad requests and a
 * missing token are refused with what was wrong.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import parsePrometheus from 'parse-prometheus-text-format';
import { WebSocket } from 'ws';
import { LocalCluster, type ProcSpec } from '../../src/cli/local-cluster.js';
import { call, callJson } from '../../src/api/client.js';
import type { EventView, GroupView, StatusView } from '../../src/api/control.js';
import { METRIC_NAMES } from '../../src/ports/metrics.js';

const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
const TOKEN = 'test-token-0123456789abcdef';
const ids = ['a', 'b', 'c'];
const noop = { lines: ['    provider: { type: noop }'] };

describe('the API of vipd run', () => {
  const specs: ProcSpec[] = ids.map((id, i) => ({ id, priority: 100 + 50 * i, peers: ids.filter((x) => x !== id), quorum: 'majority', group: noop }));
  const c = new LocalCluster(specs, 'apitest', VIPD);
  const url = (id: string) => c.apiUrl(id) ?? assert.fail(`no api line from ${id}`);
  const sock = (id: string) => ({ socket: c.socketFile(id) });
  const group = async (id: string) => (await callJson<GroupView[]>(sock(id), 'GET', '/v1/groups'))[0] ?? assert.fail('no group');

  before(async () => {
    // a's HTTP listener needs a token: everything but the probes must carry it (paths are
    // relative to the configuration file's directory).
    const a = specs[0];
    if (a) a.lines = ['api:', '  socket: a.sock', '  http: { listen: 127.0.0.1:0, token_file: api.token }'];
    await c.prepare();
    await writeFile(join(c.dir, 'api.token'), `${TOKEN}\n`, { mode: 0o600 });
    c.startAll();
    await c.until(() => c.masters().join() === 'c' && ids.every((id) => c.apiUrl(id)), 20_000, 'c master, every API up');
  });
  after(() => c.destroy());

  it('answers the same status on the socket and over HTTP', async () => {
    const viaSocket = await callJson<StatusView>(sock('b'), 'GET', '/v1/status');
    const viaHttp = await callJson<StatusView>({ url: url('b') }, 'GET', '/v1/status');
    assert.equal(viaSocket.node.id, 'b');
    assert.equal(viaHttp.node.id, 'b');
    assert.deepEqual(viaSocket.groups.map((g) => [g.name, g.role, g.master]), [['web', 'Backup', 'c']]);
    assert.deepEqual(viaHttp.groups.map((g) => [g.name, g.role, g.master]), [['web', 'Backup', 'c']]);
    assert.deepEqual(viaSocket.members.map((m) => [m.id, m.state]).sort(), [['a', 'alive'], ['c', 'alive']]);
    assert.equal(viaSocket.ready, true);
    const ready = await call({ url: url('b') }, 'GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.equal((await call({ url: url('b') }, 'GET', '/healthz')).body, 'ok\n');
  });

  it('serves /metrics that a Prometheus parser reads, with every metric of docs/metrics.md', async () => {
    const r = await call({ url: url('c') }, 'GET', '/metrics');
    assert.equal(r.status, 200);
    const families = parsePrometheus(r.body);
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const name of METRIC_NAMES) assert.ok(byName.has(name), `${name} missing from /metrics`);
    const role = byName.get('vipd_role')?.metrics.find((m) => m.labels?.group === 'web');
    assert.equal(role?.value, '2');
    assert.equal(byName.get('vipd_role')?.type, 'GAUGE');
    assert.equal(byName.get('vipd_transitions_total')?.type, 'COUNTER');
    assert.equal(byName.get('vipd_provider_api_seconds')?.type, 'HISTOGRAM');
    const priority = byName.get('vipd_priority')?.metrics.find((m) => m.labels?.group === 'web');
    assert.equal(priority?.value, '200');
    assert.equal(byName.get('vipd_members')?.metrics.find((m) => m.labels?.state === 'alive')?.value, '2');
    assert.ok(byName.has('nodejs_eventloop_lag_seconds'), 'event-loop lag exported');
  });

  it('numbers events and answers only the newer ones', async () => {
    // The acquire's event follows the role change by the provider call's time.
    const acquired = (events: EventView[]) => events.some((e) => e.type === 'provider' && e.op === 'acquire' && e.outcome === 'ok');
    let all = await callJson<{ events: EventView[]; next: number }>(sock('c'), 'GET', '/v1/events?since=0');
    for (let i = 0; i < 50 && !acquired(all.events); i++) {
      await new Promise((r) => setTimeout(r, 100));
      all = await callJson<{ events: EventView[]; next: number }>(sock('c'), 'GET', '/v1/events?since=0');
    }
    const role = all.events.find((e) => e.type === 'role' && e.to === 'Master');
    assert.ok(role, 'a role event for the takeover');
    assert.ok(acquired(all.events), 'the acquire as an event');
    assert.ok(all.events.some((e) => e.type === 'master' && e.to === 'c'), 'c names itself master');
    const seqs = all.events.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    const later = await callJson<{ events: EventView[]; next: number }>(sock('c'), 'GET', `/v1/events?since=${all.next}`);
    assert.ok(later.events.every((e) => e.seq > all.next));
  });

  it('refuses bad requests, saying what was wrong', async () => {
    const bad = [
      [await call(sock('b'), 'GET', '/v1/events?since=-1'), 400, /since must be/],
      [await call(sock('b'), 'POST', '/v1/groups/nope/maintenance', { on: true }), 404, /no group "nope" on this node \(it runs web\)/],
      [await call(sock('b'), 'POST', '/v1/groups/web/maintenance', { on: 'yes' }), 400, /"on" must be true or false/],
      [await call(sock('b'), 'POST', '/v1/groups/web/promote', { for: 'soon' }), 400, /field "for"/],
      [await call(sock('b'), 'POST', '/v1/groups/web/promote', { for: '1m', by: 999 }), 400, /"by" must be an integer 1-254/],
      [await call(sock('b'), 'GET', '/v1/nothing'), 404, /no route GET \/v1\/nothing/],
      [await call(sock('b'), 'POST', '/v1/status'), 405, /GET only/],
    ] as const;
    for (const [r, status, msg] of bad) {
      assert.equal(r.status, status, r.body);
      assert.match((JSON.parse(r.body) as { error: string }).error, msg);
    }
  });

  it('needs the token on a listener that has one, except for the probes and the dashboard\'s static files', async () => {
    assert.equal((await call({ url: url('a') }, 'GET', '/v1/status')).status, 401);
    assert.equal((await call({ url: url('a'), token: 'wrong-token-0123456789' }, 'GET', '/v1/status')).status, 401);
    assert.equal((await call({ url: url('a'), token: TOKEN }, 'GET', '/v1/status')).status, 200);
    assert.equal((await call({ url: url('a') }, 'GET', '/healthz')).status, 200);
    // The page and its script hold no data; what they read needs the token.
    assert.equal((await call({ url: url('a') }, 'GET', '/')).status, 200);
    assert.equal((await call({ url: url('a') }, 'GET', '/dashboard/app.js')).status, 200);
    assert.equal((await call({ url: url('a') }, 'GET', '/v1/events')).status, 401);
    // The socket's permissions are its access control: no token there.
    assert.equal((await call(sock('a'), 'GET', '/v1/status')).status, 200);
    const ws = new WebSocket(`${url('a').replace('http', 'ws')}/v1/stream`);
    const refused = await new Promise<string>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
      ws.once('open', () => resolve('open'));
      ws.once('error', (err) => resolve(err.message));
    });
    ws.terminate();
    assert.equal(refused, '401');
  });

  it('promote moves the VIP to a backup and it comes back when the boost ends; the stream shows it', async () => {
    const ws = new WebSocket(`${url('b').replace('http', 'ws')}/v1/stream`);
    const msgs: { kind: string; event?: EventView; status?: StatusView }[] = [];
    ws.on('message', (d) => msgs.push(JSON.parse(String(d)) as (typeof msgs)[number]));
    try {
      await c.until(() => msgs[0]?.kind === 'status', 5000, 'the first status');
      const promoted = await callJson<GroupView>(sock('a'), 'POST', '/v1/groups/web/promote', { for: '1m' });
      assert.equal(promoted.priority, 254);
      assert.equal(promoted.basePriority, 100);
      assert.ok(promoted.promote && promoted.promote.by === 254);
      await c.until(() => c.masters().join() === 'a', 10_000, 'a preempts c');
      await c.until(() => msgs.some((m) => m.kind === 'status' && m.status?.groups[0]?.master === 'a'), 5000, "b's stream shows a as master");
      const ended = await callJson<GroupView>(sock('a'), 'POST', '/v1/groups/web/promote', { for: 0 });
      assert.equal(ended.priority, 100);
      assert.equal(ended.promote, null);
      await c.until(() => c.masters().join() === 'c', 10_000, 'c preempts back');
      // b, a backup throughout, streams the moves it saw: c to a, then a back to c.
      const moves = () => msgs.flatMap((m) => (m.kind === 'event' && m.event?.type === 'master' ? [`${String(m.event.from)}>${String(m.event.to)}`] : []));
      await c.until(() => moves().join().endsWith('c>a,a>c'), 5000, `b's stream shows the moves (${moves().join()})`);
      // a's events have the boost and its end.
      const promotes = (await callJson<{ events: EventView[] }>(sock('a'), 'GET', '/v1/events?since=0')).events.filter((e) => e.type === 'promote');
      assert.deepEqual(promotes.map((e) => [e.by, e.until === null]), [[254, false], [0, true]]);
    } finally {
      ws.terminate();
    }
  });

  it('maintenance drains the master to the best backup and holds it out until cleared', async () => {
    const t = Date.now();
    const on = await callJson<GroupView>(sock('c'), 'POST', '/v1/groups/web/maintenance', { on: true });
    assert.equal(on.maintenance, true);
    assert.equal(on.role, 'Fault');
    await c.until(() => c.masters().join() === 'b', 10_000, 'b takes over from c');
    assert.ok(c.logs.some((e) => e.node === 'b' && e.t >= t && /handoff|handed/i.test(e.msg)), `b took over by a handoff:\n${c.tail(30)}`);
    // Held out: c stays out even though it has the highest priority and preempts.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await group('c')).role, 'Fault');
    assert.equal(c.masters().join(), 'b');
    const off = await callJson<GroupView>(sock('c'), 'POST', '/v1/groups/web/maintenance', { on: false });
    assert.equal(off.maintenance, false);
    await c.until(() => c.masters().join() === 'c', 10_000, 'c back as master');
    const events = await callJson<{ events: EventView[] }>(sock('c'), 'GET', '/v1/events?since=0');
    assert.deepEqual(events.events.filter((e) => e.type === 'maintenance').map((e) => e.type === 'maintenance' && e.on), [true, false]);
  });
});
