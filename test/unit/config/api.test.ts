/** `api:` (src/config/api-schema.ts, api.ts): defaults, and a listener off loopback refused without auth. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneError, TRUST, valid } from './helpers.js';

const doc = (api: string) => `cluster_id: demo\nnode: {id: node-a}\n${TRUST}${api}groups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [192.0.2.50/24]\n`;

test('api: defaults are the socket in /run/vipd (0660) and HTTP on 127.0.0.1:9641', () => {
  const api = valid(doc('')).api;
  assert.deepEqual(api, { socket: { path: '/run/vipd/vipd.sock', mode: 0o660 }, http: { host: '127.0.0.1', port: 9641 } });
});

test('api: false turns a listener off; relative files resolve against the file; owner and group kept', () => {
  const api = valid(doc('api:\n  socket: false\n  http: { listen: false }\n')).api;
  assert.deepEqual(api, {});
  const withToken = valid(doc('api:\n  socket: run/a.sock\n  socket_mode: "0600"\n  socket_group: vipd\n  http: { listen: "192.0.2.10:9641", token_file: api.token }\n')).api;
  assert.match(withToken.socket?.path ?? '', /^\/.*\/run\/a\.sock$/);
  assert.equal(withToken.socket?.mode, 0o600);
  assert.equal(withToken.socket?.group, 'vipd');
  assert.equal(withToken.http?.host, '192.0.2.10');
  assert.match(withToken.http?.tokenFile ?? '', /^\/.*\/api\.token$/);
});

test('api: a listener off loopback without token_file or tls is refused, naming api.http.listen', () => {
  oneError(doc('api:\n  http: { listen: "0.0.0.0:9641" }\n'), 'api.http.listen', /not a loopback address.*token_file or api\.http\.tls/);
  oneError(doc('api:\n  http: { listen: "192.0.2.10:9641" }\n'), 'api.http.listen', /192\.0\.2\.10 is not a loopback address/);
  oneError(doc('api:\n  http: { listen: "[2001:db8::1]:9641" }\n'), 'api.http.listen', /not a loopback address/);
  // Loopback in every spelling needs nothing.
  for (const l of ['127.0.0.1:9641', '127.0.0.53:1', '[::1]:9641', 'localhost:9641']) assert.ok(valid(doc(`api:\n  http: { listen: "${l}" }\n`)).api.http);
  // mTLS is enough too.
  assert.ok(valid(doc('api:\n  http: { listen: "0.0.0.0:9641", tls: { cert: a.crt, key: a.key, client_ca: ca.crt } }\n')).api.http?.tls);
});

test('api: mistakes are named with their path', () => {
  oneError(doc('api:\n  socket_mode: "rw-rw----"\n'), 'api.socket_mode', /octal/);
  oneError(doc('api:\n  http: { listen: "127.0.0.1" }\n'), 'api.http.listen', /no port/);
  oneError(doc('api:\n  port: 9641\n'), 'api.port', /socket, socket_mode, socket_owner, socket_group, http/);
});
