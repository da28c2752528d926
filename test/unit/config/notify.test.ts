/** A group's `notify:` (src/config/notify-schema.ts): defaults, and mistakes named with their path. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneError, TRUST, valid } from './helpers.js';

// With TLS and keys: a group the schema refuses cannot show that the node is LAN-only.
const doc = (notify: string) => `cluster_id: demo\nnode: {id: node-a}\n${TRUST}groups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [192.0.2.50/24]\n${notify}`;

test('notify: commands as argv, timeout default 30s, webhooks with 5s and 5 attempts by default', () => {
  const g = valid(doc('    notify:\n      master: [/etc/vipd/up, "--fast"]\n      script: [/etc/keepalived/notify.sh]\n      webhooks: [{url: "http://127.0.0.1:9000/hook"}]\n')).groups[0];
  assert.deepEqual(g?.notify, { master: ['/etc/vipd/up', '--fast'], script: ['/etc/keepalived/notify.sh'], timeoutMs: 30_000, webhooks: [{ url: 'http://127.0.0.1:9000/hook', timeoutMs: 5000, attempts: 5 }] });
  assert.equal(valid(doc('')).groups[0]?.notify, undefined);
});

test('notify: a shell string instead of argv, an unknown key, a bad URL or attempts: each an error with its path', () => {
  oneError(doc('    notify:\n      master: "/etc/vipd/up --fast"\n'), 'groups[0].notify.master', /a list of strings/);
  oneError(doc('    notify:\n      notify_master: [/x]\n'), 'groups[0].notify.notify_master', /master, backup, fault, stop, script/);
  oneError(doc('    notify:\n      webhooks: [{url: "ftp://127.0.0.1/x"}]\n'), 'groups[0].notify.webhooks[0].url', /http:\/\/ or https:\/\//);
  oneError(doc('    notify:\n      webhooks: [{url: "http://127.0.0.1/x", attempts: 0}]\n'), 'groups[0].notify.webhooks[0].attempts', /1-20/);
  oneError(doc('    notify:\n      timeout: 20m\n'), 'groups[0].notify.timeout', /100ms-10m/);
});
