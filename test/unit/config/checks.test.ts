/**
 * `checks:` and a group's `track:` (src/config/checks-schema.ts, checks.ts): defaults, the
 * fields of each type, and every mistake named with its path and why.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errors, oneError, valid } from './helpers.js';

// A LAN-only node: no TLS needed.
const doc = (checks: string, track = '    track: [app]\n') =>
  `cluster_id: demo\nnode: {id: node-a}\nchecks:\n${checks}groups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [192.0.2.50/24]\n${track}`;
const APP = '  - {name: app, type: exec, command: [/usr/bin/true]}\n';

test('a check with its defaults (interval 1s, timeout the interval, rise and fall 1, weight 0) and a group tracking it', () => {
  const c = valid(doc(APP));
  assert.deepEqual(c.checks, [{ name: 'app', intervalMs: 1000, timeoutMs: 1000, rise: 1, fall: 1, initFail: false, weight: 0, probe: { type: 'exec', command: ['/usr/bin/true'] } }]);
  assert.deepEqual(c.groups[0]?.tracks, [{ check: 'app', weight: 0, file: false }]);
});

test('every type with its fields; a track entry may override the weight; file checks default to weight 1', () => {
  const c = valid(doc(
    '  - {name: cmd, type: exec, command: [/usr/bin/pgrep, -x, haproxy], interval: 2s, timeout: 500ms, rise: 2, fall: 3, weight: -20, init_fail: true}\n'
    + '  - {name: web, type: https, url: "https://127.0.0.1:8443/healthz", expect_status: [200, 204], body_match: "ok", tls_verify: false}\n'
    + '  - {name: port, type: tcp, port: 5432}\n'
    + '  - {name: link, type: interface, interface: eth1}\n'
    + '  - {name: prio, type: file, path: /run/vipd/weight}\n'
    + '  - {name: proc, type: process, process: haproxy, args: "-f /etc/haproxy"}\n',
    '    track: [cmd, {check: web, weight: 10}, port, link, prio, proc]\n',
  ));
  assert.deepEqual(c.checks.map((k) => [k.name, k.probe.type, k.weight]), [['cmd', 'exec', -20], ['web', 'https', 0], ['port', 'tcp', 0], ['link', 'interface', 0], ['prio', 'file', 1], ['proc', 'process', 0]]);
  assert.deepEqual(c.checks[0], { name: 'cmd', intervalMs: 2000, timeoutMs: 500, rise: 2, fall: 3, initFail: true, weight: -20, probe: { type: 'exec', command: ['/usr/bin/pgrep', '-x', 'haproxy'] } });
  assert.deepEqual(c.checks[1]?.probe, { type: 'https', url: 'https://127.0.0.1:8443/healthz', expectStatus: [200, 204], bodyMatch: 'ok', tlsVerify: false });
  assert.deepEqual(c.checks[2]?.probe, { type: 'tcp', host: '127.0.0.1', port: 5432 });
  assert.deepEqual(c.groups[0]?.tracks.map((t) => [t.check, t.weight, t.file]), [['cmd', -20, false], ['web', 10, false], ['port', 0, false], ['link', 0, false], ['prio', 1, true], ['proc', 0, false]]);
});

test('a field of another type, a missing required field, a timeout above the interval, a bad pattern or URL scheme: each an error with its path', () => {
  oneError(doc('  - {name: app, type: exec, command: [/bin/true], url: "http://127.0.0.1/"}\n'), 'checks[0].url', /^not for a exec check \(it takes command\)$/);
  oneError(doc('  - {name: app, type: tcp}\n'), 'checks[0].port', /^required for a tcp check$/);
  oneError(doc('  - {name: app, type: exec, command: [/bin/true], interval: 1s, timeout: 2s}\n'), 'checks[0].timeout', /must be at most the interval \(1000 ms\)/);
  oneError(doc('  - {name: app, type: http, url: "http://127.0.0.1/", body_match: "("}\n'), 'checks[0].body_match', /^not a regular expression/);
  oneError(doc('  - {name: app, type: https, url: "http://127.0.0.1/"}\n'), 'checks[0].url', /^a https check needs a https:\/\/ URL/);
  oneError(doc('  - {name: app, type: exec, command: [/bin/true], weight: 300}\n'), 'checks[0].weight', /-254-254/);
  oneError(doc('  - {name: app, type: ping, host: x}\n'), 'checks[0].type', /must be one of exec, http, https, tcp, interface, file, process/);
});

test('names unique; a track names a defined check, once', () => {
  oneError(doc(APP + APP), 'checks[1].name', /^check app is defined twice \(first at checks\[0\]\.name\)$/);
  oneError(doc(APP, '    track: [nope]\n'), 'groups[0].track[0]', /^no check named nope in checks \(defined: app\)$/);
  oneError(doc(APP, '    track: [app, {check: app, weight: 5}]\n'), 'groups[0].track[1]', /^check app is tracked twice/);
  // A check that is itself invalid is reported once, where it is, not again by the group.
  const e = errors(doc('  - {name: app, type: tcp}\n'));
  assert.deepEqual(e.map((x) => x.path), ['checks[0].port']);
});
