/**
 * Whatever keepalived.conf it is given, the importer either stops with a syntax error at a
 * file:line, or writes a configuration that vipd's own loader accepts, with every report entry
 * at a line of the file. Random files from keepalived's vocabulary, valid values and bad ones.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import fc from 'fast-check';
import { importKeepalived } from '../../../../src/config/keepalived/import.js';
import { parseConfigText } from '../../../../src/config/load.js';
import { REGISTRY, tree } from './helpers.js';

const value = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('1', '0', '255', '300', '-4', '0.5', '1.25', 'eth0', 'eth1', 'MASTER', 'BACKUP', 'x', '"a b"', '', '#c', '$P', '${P}') },
  { weight: 1, arbitrary: fc.constantFrom('{', '}', "'q") },
);
/** Rarely a bad one: most files should get past the syntax and convert. */
const rare = <T>(common: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 19, arbitrary: common }, { weight: 1, arbitrary: bad });
const settings = fc.oneof(
  fc.tuple(fc.constantFrom('priority', 'advert_int', 'version', 'state', 'preempt_delay', 'garp_master_delay', 'smtp_alert', 'nopreempt', 'use_vmac', 'frobnicate'), value).map(([k, v]) => `${k} ${v}`),
  rare(fc.constant('priority 150'), fc.tuple(fc.constantFrom('interface', 'virtual_router_id'), value).map(([k, v]) => `${k} ${v}`)),
);
const address = rare(
  fc.constantFrom('192.0.2.10', '192.0.2.11/24', '198.51.100.7/25', '2001:db8::10/64', '203.0.113.5', '192.0.2.12/255.255.255.0'),
  fc.constantFrom('192.0.2.0/24', 'bogus'),
);
const instanceLine = fc.oneof(
  settings,
  fc.array(fc.tuple(address, fc.constantFrom('', ' dev eth1', ' label eth0:1', ' brd 192.0.2.255', ' scope host')).map(([a, o]) => a + o), { maxLength: 3 }).map((a) => `virtual_ipaddress {\n${a.join('\n')}\n}`),
  fc.constantFrom('authentication {\n auth_type PASS\n auth_pass 123456789\n}', 'authentication {\n auth_type AH\n}', 'track_script {\n chk_a\n chk_b weight 5\n}', 'track_interface {\n eth2 weight -3\n eth3\n}',
    'unicast_peer {\n 192.0.2.20\n}', 'notify_master "/usr/bin/aws ec2 associate-address --allocation-id eipalloc-0123456789abcdef0"', 'notify "/bin/n.sh x || y"'),
);
// Mostly instances vipd can run (an interface, a VRID, a VIP), with random lines after those.
const instance = fc.tuple(fc.constantFrom('VI_1', 'VI_2', 'web', 'Web_1'), fc.constantFrom('eth0', 'eth1'), fc.integer({ min: 1, max: 4 }), address, fc.array(instanceLine, { maxLength: 8 }))
  .map(([name, iface, vrid, vip, lines]) => `vrrp_instance ${name} {\ninterface ${iface}\nvirtual_router_id ${vrid}\nvirtual_ipaddress {\n${vip}\n}\n${lines.join('\n')}\n}`);
const topLevel = fc.oneof(
  instance,
  fc.constantFrom(
    'global_defs {\n router_id R_1\n vrrp_version 3\n vrrp_garp_master_repeat 30\n}',
    'vrrp_script chk_a {\n script "killall -0 x"\n interval 0.01\n timeout 9\n weight 300\n}',
    'vrrp_script chk_b {\n script "</dev/tcp/127.0.0.1/1"\n rise 0\n}',
    'vrrp_sync_group G {\n group {\n VI_1\n VI_2\n }\n notify_master /x\n}',
    '$P=192.0.2.99', '@main priority 5', 'virtual_server 192.0.2.1 80 {\n}', 'include nothing/*.conf',
  ),
);

it('a random keepalived.conf: a syntax error at a line, or a configuration vipd loads', () => {
  const t = tree({});
  const outcomes = { ok: 0, error: 0 };
  try {
    const file = join(t.dir, 'keepalived.conf');
    fc.assert(
      fc.property(instance, fc.array(topLevel, { maxLength: 5 }), (first, blocks) => {
        const text = `${[first, ...blocks].join('\n')}\n`;
        writeFileSync(file, text);
        const r = importKeepalived(file, { ...REGISTRY, hostName: 'h', configId: 'main' });
        outcomes[r.ok ? 'ok' : 'error']++;
        const lines = text.split('\n').length;
        if (!r.ok) {
          for (const e of r.errors) assert.ok(e.line === undefined || (e.line >= 1 && e.line <= lines), JSON.stringify(e));
          return;
        }
        const loaded = parseConfigText(r.yaml, file, REGISTRY);
        assert.ok(loaded.ok, `${text}\n---\n${r.yaml}\n${loaded.ok ? '' : JSON.stringify(loaded.errors)}`);
        for (const e of r.report) assert.ok(e.at.line >= 1 && e.at.line <= lines, JSON.stringify(e));
      }),
      { numRuns: 150 },
    );
    // The generator must reach the interesting side: most files convert.
    assert.ok(outcomes.ok > outcomes.error, JSON.stringify(outcomes));
  } finally {
    t.remove();
  }
});
