import { parseConfigText } from './src/config/load.js';
import { formatIssue } from './src/config/format.js';
import { readFileSync } from 'node:fs';
console.log(JSON.stringify((parseConfigText(readFileSync('test/fixtures/config/valid-full.yaml','utf8'), 'f') as any).config));
const base = (g: string, top = '') => `cluster_id: demo\nnode:\n  id: node-a\n${top}groups:\n${g}`;
const cases: Record<string,string> = {
  v2_100ms: base('  - {name: web, vrid: 1, interface: eth0, version: 2, advert_interval: 100ms, vips: [10.0.0.1]}\n'),
  v2_default: base('  - {name: web, vrid: 1, interface: eth0, version: 2, vips: [10.0.0.1]}\n'),
  v3_15ms: base('  - {name: web, vrid: 1, interface: eth0, advert_interval: 15ms, vips: [10.0.0.1]}\n'),
  v3_41s: base('  - {name: web, vrid: 1, interface: eth0, advert_interval: 41s, vips: [10.0.0.1]}\n'),
  dupvrid: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1]}\n  - {name: db, vrid: 1, interface: eth0, vips: [10.0.0.2]}\n'),
  dupname: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1]}\n  - {name: web, vrid: 2, interface: eth0, vips: [10.0.0.2]}\n'),
  dupvip: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1/24]}\n  - {name: db, vrid: 2, interface: eth0, vips: [10.0.0.1/32]}\n'),
  mixed: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1, "2001:db8::1"]}\n'),
  v2v6: base('  - {name: web, vrid: 1, interface: eth0, version: 2, vips: ["2001:db8::1"]}\n'),
  selfpeer: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1], peers: [node-b, node-a]}\n'),
  badip: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.300/24, 10.0.0.1/33, "fe80::1%eth0"]}\n'),
  syntax: 'cluster_id: demo\nnode: [a\n',
  empty: '',
  comments: '# nothing\n',
  unknownTop: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1]}\n', 'colour: blue\n'),
  scalar: 'hello',
  list: '- a\n',
  badTiming: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1], preempt: false, preempt_delay: 5s, provider: {type: aws}}\n', 'timing: fast\nmembership: {probe_timeout: 1s}\n'),
  memb: base('  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1], preempt: false, preempt_delay: 5s, priority: 255, provider: {}}\n', 'membership: {probe_timeout: 1s, bogus: 1}\nlog: {level: loud}\n'),
  nulls: 'cluster_id:\nnode:\ngroups:\n',
  badtypes: 'cluster_id: 5\nnode: {id: Node_A, address: 1.2.3}\ngroups: []\ntiming: wan\n',
  ifname: base('  - {name: web, vrid: 0, interface: "eth0:1", vips: [], advert_interval: "1 s", preempt_delay: 2h}\n  - {name: x, vrid: 3, interface: "..", vips: [1.1.1.1], advert_interval: 1.5sec, peers: [a, a]}\n'),
  dupkey: 'a: 1\na: 2\n',
  alias: 'a: &x [1]\nb: *x\n',
};
for (const [k, t] of Object.entries(cases)) {
  const r = parseConfigText(t, k + '.yaml');
  console.log('--- ' + k);
  if (r.ok) console.log('OK', JSON.stringify(r.config.groups.map(g => g.advertIntervalCs)), r.warnings.map(w => formatIssue(w, 'warning')).join('\n'));
  else console.log(r.errors.map(e => formatIssue(e)).join('\n'));
}
