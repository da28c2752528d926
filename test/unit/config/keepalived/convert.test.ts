/**
 * The mapping's rules one at a time, on small keepalived files in a temporary directory:
 * authentication, intervals, priorities, duplicates vipd refuses, names, announcements, the AWS
 * scripts, and where a problem in the written configuration is reported.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { planAws } from '../../../../src/config/keepalived/aws.js';
import { scanAws } from '../../../../src/config/keepalived/aws-scan.js';
import { importKeepalived, loadKeepalivedConfig, parsePath, remapIssue } from '../../../../src/config/keepalived/import.js';
import type { ReportEntry } from '../../../../src/config/keepalived/report.js';
import { keepalivedSource } from '../../../../src/cli/run.js';
import { fixture, REGISTRY, tree } from './helpers.js';

type Group = Record<string, unknown>;
interface Result { groups: Group[]; doc: Record<string, unknown>; report: readonly ReportEntry[]; yaml: string }

/** Imports `main.conf` (plus any other files) from a fresh directory; fails the test if nothing was produced. */
function convert(text: string, files: Record<string, string> = {}): Result {
  const t = tree({ 'main.conf': text, ...files });
  try {
    const r = importKeepalived(join(t.dir, 'main.conf'), { ...REGISTRY, hostName: 'h1' });
    assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors, null, 2));
    const doc = r.conversion.doc;
    return { groups: doc.groups as Group[], doc, report: r.report, yaml: r.yaml };
  } finally {
    t.remove();
  }
}

const instance = (body: string, name = 'VI_1', vrid = 51) => `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n${body}\n}\n`;
const vips = (...a: string[]) => `  virtual_ipaddress {\n${a.map((x) => `    ${x}\n`).join('')}  }`;
const find = (r: Result, kind: ReportEntry['kind'], option: RegExp) => r.report.find((e) => e.kind === kind && option.test(e.option));

describe('authentication', () => {
  it('PASS with VRRPv2 is auth_pass; a longer password is cut to the 8 bytes keepalived sends', () => {
    const r = convert(instance(`${vips('192.0.2.1')}\n  authentication {\n    auth_type PASS\n    auth_pass abcdefghij\n  }`));
    assert.equal(r.groups[0]?.auth_pass, 'abcdefgh');
    assert.match(find(r, 'note', /^auth_pass$/)?.reason ?? '', /first 8 characters/);
  });

  it('AH, and PASS with VRRPv3, are unmapped with why', () => {
    const ah = convert(instance(`${vips('192.0.2.1')}\n  authentication {\n    auth_type AH\n    auth_pass x\n  }`));
    assert.equal(ah.groups[0]?.auth_pass, undefined);
    assert.match(find(ah, 'unmapped', /auth_type AH/)?.reason ?? '', /does not implement IPsec AH/);
    const v3 = convert(instance(`  version 3\n${vips('192.0.2.1')}\n  authentication {\n    auth_type PASS\n    auth_pass x\n  }`));
    assert.equal(v3.groups[0]?.auth_pass, undefined);
    assert.match(find(v3, 'unmapped', /auth_type PASS/)?.reason ?? '', /VRRPv3 has no authentication field/);
  });
});

describe('intervals and priorities', () => {
  it('advert_int is rounded to what the version carries, as keepalived rounds it', () => {
    const at = (v: number, a: string) => convert(instance(`  version ${v}\n  advert_int ${a}\n${vips('192.0.2.1')}`)).groups[0]?.advert_interval;
    assert.equal(at(2, '1.4'), '1s');
    assert.equal(at(2, '1.5'), '2s');
    assert.equal(at(2, '0.2'), '1s');
    assert.equal(at(3, '0.015'), '20ms');
    assert.equal(at(3, '50'), '40.95s');
    assert.equal(at(3, '3'), '3s');
  });

  it('priority: 100 by default, 255 for state MASTER without one, 100 for a bad one (reported)', () => {
    assert.equal(convert(instance(vips('192.0.2.1'))).groups[0]?.priority, 100);
    assert.equal(convert(instance(`  state MASTER\n${vips('192.0.2.1')}`)).groups[0]?.priority, 255);
    const bad = convert(instance(`  priority 300\n${vips('192.0.2.1')}`));
    assert.equal(bad.groups[0]?.priority, 100);
    assert.ok(find(bad, 'unmapped', /^priority 300$/));
  });
});

describe('what vipd needs unique', () => {
  it('a VRID used again (keepalived allows it on another interface) is not imported, and says so', () => {
    const r = convert(instance(vips('192.0.2.1')) + instance(vips('192.0.2.2'), 'VI_2', 51));
    assert.equal(r.groups.length, 1);
    assert.match(find(r, 'unmapped', /vrrp_instance VI_2/)?.reason ?? '', /virtual_router_id 51 is VI_1's too/);
  });

  it("a VIP of an earlier group is left out of a later one; a group left without VIPs is not imported", () => {
    const r = convert(instance(vips('192.0.2.1', '192.0.2.2')) + instance(vips('192.0.2.2', '192.0.2.3'), 'VI_2', 52) + instance(vips('192.0.2.3'), 'VI_3', 53));
    assert.deepEqual(r.groups.map((g) => g.vips), [['192.0.2.1', '192.0.2.2'], ['192.0.2.3']]);
    assert.match(find(r, 'unmapped', /vrrp_instance VI_3/)?.reason ?? '', /every VIP of it belongs to an earlier instance/);
  });

  it('names that become the same vipd name get a suffix', () => {
    const r = convert(instance(vips('192.0.2.1'), 'VI_1') + instance(vips('192.0.2.2'), 'vi-1', 52));
    assert.deepEqual(r.groups.map((g) => g.name), ['vi-1', 'vi-1-2']);
  });

  it('a VIP that is no host address, and one of the other family, are left out with why', () => {
    const r = convert(instance(vips('192.0.2.0/24', '192.0.2.5/24', '2001:db8::5/64', 'not-an-ip')));
    assert.deepEqual(r.groups[0]?.vips, ['192.0.2.5/24']);
    assert.match(find(r, 'unmapped', /^192\.0\.2\.0\/24$/)?.reason ?? '', /network/);
    assert.match(find(r, 'unmapped', /^2001:db8::5\/64$/)?.reason ?? '', /IPv6 in an IPv4 instance/);
    assert.match(find(r, 'unmapped', /^not-an-ip$/)?.reason ?? '', /not an address/);
  });

  it('a dotted netmask becomes a prefix length', () => {
    assert.deepEqual(convert(instance(vips('192.0.2.7/255.255.255.0'))).groups[0]?.vips, ['192.0.2.7/24']);
  });
});

describe('announcements and trackers', () => {
  it('vrrp_min_garp: one announcement, no second burst; a repeat outside 1-20 is reported and left to the default', () => {
    const min = convert(`global_defs {\n  vrrp_min_garp\n}\n${instance(vips('192.0.2.1'))}`);
    assert.deepEqual(min.groups[0]?.provider, { type: 'local', garp_repeat: 1, garp_master_delay: '0s' });
    const big = convert(`global_defs {\n  vrrp_garp_master_repeat 50\n}\n${instance(vips('192.0.2.1'))}`);
    assert.deepEqual(big.groups[0]?.provider, { type: 'local' });
    assert.match(find(big, 'unmapped', /vrrp_garp_master_repeat 50/)?.reason ?? '', /1-20/);
  });

  it("an instance's garp_master_delay overrides global_defs' vrrp_garp_master_delay", () => {
    const r = convert(`global_defs {\n  vrrp_garp_master_delay 3\n}\n${instance(`  garp_master_delay 7\n${vips('192.0.2.1')}`)}${instance(vips('192.0.2.2'), 'VI_2', 52)}`);
    assert.deepEqual(r.groups.map((g) => g.provider), [{ type: 'local', garp_master_delay: '7s' }, { type: 'local', garp_master_delay: '3s' }]);
  });

  it('a relative track_file path is written absolute, beside the keepalived file', () => {
    const t = tree({ 'main.conf': `track_file f {\n  file state/w\n}\n${instance(`${vips('192.0.2.1')}\n  track_file {\n    f\n  }`)}` });
    try {
      const r = importKeepalived(join(t.dir, 'main.conf'), { ...REGISTRY, hostName: 'h1' });
      assert.ok(r.ok);
      assert.equal((r.conversion.doc.checks as Group[])[0]?.path, join(t.dir, 'state/w'));
    } finally {
      t.remove();
    }
  });

  it('an interface name Linux would refuse is not tracked', () => {
    const r = convert(instance(`${vips('192.0.2.1')}\n  track_interface {\n    eth0:1\n  }`));
    assert.equal(r.groups[0]?.track, undefined);
    assert.match(find(r, 'unmapped', /track_interface/)?.reason ?? '', /not a Linux interface name/);
  });
});

describe('AWS scripts', () => {
  it('reads sh: continuations, comments, quotes, literal variables, command substitutions unresolved', () => {
    const scan = scanAws([
      '#!/bin/sh',
      'A=eipalloc-0123456789abcdef0  # the EIP',
      'ID=$(curl -s http://169.254.169.254/latest/meta-data/instance-id)',
      'aws ec2 associate-address \\',
      '  --allocation-id "${A}" --instance-id $ID --allow-reassociation && echo ok',
      'service nginx restart',
    ].join('\n'));
    assert.equal(scan.calls.length, 1);
    assert.deepEqual([scan.calls[0]?.sub, scan.calls[0]?.line, scan.calls[0]?.options.get('--allocation-id'), scan.calls[0]?.options.get('--instance-id')], ['associate-address', 4, ['eipalloc-0123456789abcdef0'], ['$ID']]);
    assert.deepEqual(scan.others, [{ line: 6, text: 'service nginx restart' }]);
  });

  it('plans one provider per mode, with literal ids only; a gateway target is not this instance', () => {
    const scan = scanAws([
      'aws ec2 associate-address --allocation-id eipalloc-0123456789abcdef0 --region eu-west-1',
      'aws ec2 associate-address --allocation-id eipalloc-00000000 --region eu-west-1',
      'aws ec2 replace-route --route-table-id rtb-11111111 --destination-cidr-block 203.0.113.0/24 --gateway-id igw-1',
    ].join('\n'));
    const plan = planAws(scan.calls);
    assert.deepEqual(plan.providers, [
      { type: 'aws', mode: 'eip', region: 'eu-west-1', allocation_id: 'eipalloc-0123456789abcdef0' },
      { type: 'aws', mode: 'eip', region: 'eu-west-1', allocation_id: 'eipalloc-00000000' },
    ]);
    assert.match(plan.problems.join('\n'), /line 3: aws ec2 replace-route: routes to a gateway/);
  });

  it('an IPv6 group is not given secondary-ip or eip (IPv4 only): the hook stays', () => {
    const r = convert(`vrrp_instance V6 {\n  interface eth0\n  virtual_router_id 9\n${vips('2001:db8::9/64')}\n  notify_master "/usr/bin/aws ec2 assign-private-ip-addresses --private-ip-addresses 192.0.2.9"\n}\n`);
    assert.deepEqual(r.groups[0]?.provider, { type: 'local' });
    assert.ok((r.groups[0]?.notify as Group | undefined)?.master);
    assert.match(find(r, 'unmapped', /notify_master/)?.reason ?? '', /IPv4 only/);
  });

  it('an instance without VIPs takes the address the script moves', () => {
    const r = convert(`vrrp_instance A {\n  interface eth0\n  virtual_router_id 9\n  notify_master "/usr/bin/aws ec2 assign-private-ip-addresses --network-interface-id eni-01234567 --private-ip-addresses 192.0.2.40"\n}\n`);
    assert.deepEqual([r.groups[0]?.vips, r.groups[0]?.provider], [['192.0.2.40'], { type: 'aws', mode: 'secondary-ip', eni_id: 'eni-01234567' }]);
  });
});

describe('errors and where they are told', () => {
  it('nothing importable: exit-1 material, with each instance\'s reason at its line', () => {
    const r = importKeepalived(fixture('errors/nothing.conf'), { ...REGISTRY, hostName: 'h' });
    assert.ok(!r.ok);
    assert.match(r.errors.at(-1)?.message ?? '', /no vrrp_instance could be imported/);
    const why = r.report.find((e) => e.option === 'vrrp_instance VI_1');
    assert.deepEqual([why?.at.line, /has no interface/.test(why?.reason ?? '')], [5, true]);
    const run = loadKeepalivedConfig(fixture('errors/nothing.conf'), { ...REGISTRY, hostName: 'h' });
    assert.ok(!run.ok);
    assert.deepEqual(run.errors.map((e) => e.line), [5, undefined]);
  });

  it("a loader issue about the written YAML is told at the keepalived line the part came from", () => {
    const t = tree({ 'main.conf': instance(`  priority 150\n${vips('192.0.2.1')}`) });
    try {
      const r = importKeepalived(join(t.dir, 'main.conf'), { ...REGISTRY, hostName: 'h1' });
      assert.ok(r.ok);
      const issue = remapIssue({ file: 'x.yaml', path: 'groups[0].priority', line: 12, column: 5, message: 'bad' }, r.conversion, 'main.conf');
      assert.deepEqual([issue.line, issue.path, issue.message], [4, 'groups[0].priority', 'bad (in the converted configuration)']);
      const nested = remapIssue({ file: 'x.yaml', path: 'groups[0].provider.garp_refresh', message: 'm' }, r.conversion, 'main.conf');
      assert.equal(nested.line, 1, 'no origin of its own: the group\'s line');
    } finally {
      t.remove();
    }
    assert.deepEqual(parsePath('groups[0].provider["a.b"][3]'), ['groups', 0, 'provider', 'a.b', 3]);
  });

  it('vipd run --keepalived-conf: each load converts the file again, unmapped options are warnings at their lines', async () => {
    const t = tree({ 'main.conf': `global_defs {\n  router_id r1\n  smtp_server 192.0.2.1\n}\n${instance(`  priority 110\n${vips('192.0.2.1')}`)}` });
    try {
      const source = keepalivedSource(join(t.dir, 'main.conf'));
      const first = await source.load();
      assert.ok(first.ok);
      assert.equal(first.config.groups[0]?.priority, 110);
      const warning = first.warnings.find((w) => w.path.startsWith('smtp_server'));
      assert.deepEqual([warning?.line, warning?.message.startsWith('unmapped: ')], [3, true]);
      // A reload (SIGHUP) loads again: the change in the keepalived file is seen.
      writeFileSync(join(t.dir, 'main.conf'), instance(`  priority 120\n${vips('192.0.2.1')}`));
      const second = await source.load();
      assert.ok(second.ok);
      assert.equal(second.config.groups[0]?.priority, 120);
      writeFileSync(join(t.dir, 'main.conf'), 'vrrp_instance {\n');
      const broken = await source.load();
      assert.ok(!broken.ok);
      assert.deepEqual([broken.errors[0]?.line, broken.errors[0]?.path], [1, 'error']);
    } finally {
      t.remove();
    }
  });
});
