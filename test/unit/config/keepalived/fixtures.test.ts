/**
 * Every keepalived.conf fixture (test/fixtures/keepalived/, modelled on keepalived's
 * doc/keepalived.conf.SYNOPSIS and doc/samples, and on real-world AWS setups): the YAML equals
 * its golden file (UPDATE_GOLDEN=1 rewrites them), loads with vipd's own loader as a file, and
 * every report entry names a file that was read and a line in it; then what each one is about.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ReportEntry } from '../../../../src/config/keepalived/report.js';
import { FIXTURES, imported, loadsAsFile, normalize } from './helpers.js';

const CASES: { id: string; file: string; configId?: string }[] = [
  { id: 'basic', file: 'basic.conf' },
  { id: 'scripts', file: 'scripts.conf' },
  { id: 'sync', file: 'sync.conf' },
  { id: 'unicast', file: 'unicast.conf' },
  { id: 'includes', file: 'includes/keepalived.conf' },
  { id: 'ipv6', file: 'ipv6.conf' },
  { id: 'track-file', file: 'track-file.conf' },
  { id: 'notify', file: 'notify.conf' },
  { id: 'conditional', file: 'conditional.conf', configId: 'main' },
  { id: 'aws-secondary-ip', file: 'aws-secondary-ip.conf' },
  { id: 'aws-eip', file: 'aws-eip.conf' },
  { id: 'aws-route', file: 'aws-route.conf' },
];

const golden = (id: string) => join(FIXTURES, 'expected', `${id}.yaml`);

describe('keepalived fixtures', () => {
  for (const c of CASES) {
    it(`${c.file}: golden YAML, loads with vipd's loader, every entry at a file:line`, async () => {
      const r = imported(c.file, c.configId ? { configId: c.configId } : {});
      const yaml = normalize(r.yaml);
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(join(FIXTURES, 'expected'), { recursive: true });
        writeFileSync(golden(c.id), yaml);
      }
      assert.equal(yaml, readFileSync(golden(c.id), 'utf8'), `${c.file}: differs from ${golden(c.id)} (UPDATE_GOLDEN=1 rewrites it)`);
      await loadsAsFile(r.yaml);
      for (const e of r.report) {
        assert.ok(r.conversion.files.includes(e.at.file), `${e.at.file} is a file that was read`);
        assert.ok(e.at.line >= 1, `${e.option} has a line`);
      }
      // Same input, same bytes.
      assert.equal(imported(c.file, c.configId ? { configId: c.configId } : {}).yaml, r.yaml);
    });
  }
});

/** The entry about `option` (a prefix of it), at `file:line`. */
function entry(report: readonly ReportEntry[], kind: ReportEntry['kind'], option: string, line: number): ReportEntry {
  const found = report.find((e) => e.kind === kind && e.option.startsWith(option) && e.at.line === line);
  assert.ok(found, `no ${kind} ${option} at line ${line}; have:\n${report.map((e) => `${e.at.line} ${e.kind} ${e.option}`).join('\n')}`);
  return found;
}

type Doc = { node: { id: string }; groups: Record<string, unknown>[]; checks?: Record<string, unknown>[]; sync_groups?: unknown[] };
const docOf = (r: ReturnType<typeof imported>) => r.conversion.doc as unknown as Doc;

describe('what each fixture maps to', () => {
  it('basic: VRRPv2 as keepalived defaults to, PASS kept, mail options unmapped at their lines', () => {
    const r = imported('basic.conf');
    const [g1, g2] = docOf(r).groups;
    assert.deepEqual([g1?.name, g1?.vrid, g1?.version, g1?.advert_interval, g1?.auth_pass, g1?.transport], ['vi-1', 51, 2, '1s', '1111', 'multicast']);
    assert.deepEqual(g1?.vips, ['192.0.2.16', '192.0.2.17', '192.0.2.18']);
    assert.deepEqual(g1?.provider, { type: 'local', garp_master_delay: '10s' });
    assert.equal(g2?.priority, 50);
    assert.equal(docOf(r).node.id, 'lvs-devel');
    entry(r.report, 'unmapped', 'smtp_alert', 19);
    entry(r.report, 'unmapped', 'smtp_server', 10);
    entry(r.report, 'note', '192.0.2.18 label', 34);
    entry(r.report, 'unmapped', '198.51.100.13/24 brd', 46);
    assert.equal(r.config.groups[0]?.authPass, '1111');
  });

  it('scripts: argv without a shell when simple, /bin/sh -c when needed; weights and overrides; reverse not tracked', () => {
    const r = imported('scripts.conf');
    const checks = new Map((docOf(r).checks ?? []).map((c) => [c.name, c]));
    assert.deepEqual(checks.get('chk-sshd'), { name: 'chk-sshd', type: 'exec', interval: '2s', rise: 2, fall: 2, weight: -4, command: ['killall', '-0', 'sshd'] });
    assert.deepEqual(checks.get('chk-http-port')?.command, ['/bin/sh', '-c', '</dev/tcp/127.0.0.1/80']);
    assert.deepEqual(checks.get('chk-api')?.command, ['/bin/sh', '-c', 'curl -sf http://127.0.0.1:8080/healthz || exit 1']);
    assert.deepEqual(checks.get('chk-quoted')?.command, ['/usr/local/bin/check', 'two words', 'plain']);
    assert.equal(checks.get('chk-haproxy')?.timeout, '2s');
    assert.equal(checks.get('chk-haproxy')?.init_fail, true);
    assert.deepEqual(docOf(r).groups[0]?.track, [
      { check: 'if-eth1', weight: 2 }, { check: 'if-eth2', weight: -2 }, 'if-eth3', 'chk-sshd', { check: 'chk-haproxy', weight: 2 }, 'chk-http-port', 'chk-api',
    ]);
    assert.deepEqual(docOf(r).groups[1]?.track, [{ check: 'if-eth0', weight: 2 }, { check: 'chk-haproxy', weight: 2 }, { check: 'chk-http-port', weight: -20 }, 'chk-quoted']);
    entry(r.report, 'unmapped', 'track_script { chk_quoted }', 62);
    entry(r.report, 'unmapped', 'track_script { chk_missing }', 63);
    entry(r.report, 'note', 'script "curl', 32);
    entry(r.report, 'unmapped', 'user nobody', 34);
    entry(r.report, 'unmapped', 'script_user', 6);
    // The loader normalises them: weights as vipd applies them.
    assert.deepEqual(r.config.groups[0]?.tracks.map((t) => [t.check, t.weight]).slice(0, 4), [['if-eth1', 2], ['if-eth2', -2], ['if-eth3', 0], ['chk-sshd', -4]]);
  });

  it('sync: the first listed group leads, group trackers go to every member, sync notify to the leader, weighted member trackers dropped as keepalived does', () => {
    const r = imported('sync.conf');
    assert.deepEqual(docOf(r).sync_groups, [{ name: 'g1', groups: ['vi-web', 'vi-db'] }]);
    const [web, db] = docOf(r).groups;
    assert.deepEqual(web?.track, ['chk-disk']);
    assert.deepEqual(db?.track, ['chk-disk']);
    assert.deepEqual(web?.notify, { master: ['/usr/local/bin/web-up'], backup: ['/usr/local/bin/vrrp.back', 'arg1', 'arg2'], fault: ['/usr/local/bin/vrrp.fault', 'arg1', 'arg2'] });
    entry(r.report, 'note', 'vrrp_sync_group G1', 15);
    entry(r.report, 'unmapped', 'notify_master', 23);
    entry(r.report, 'unmapped', 'vrrp_sync_group G2', 29);
    entry(r.report, 'note', 'track_script { chk_db }', 56);
    assert.deepEqual(r.config.syncGroups, [{ name: 'g1', leader: 'vi-web', followers: ['vi-db'] }]);
  });

  it('unicast: a multicast VRRP group, the unicast peers unmapped with a comment at transport; v3 interval rounded like keepalived', () => {
    const r = imported('unicast.conf');
    const [edge, edge6] = docOf(r).groups;
    assert.deepEqual([edge?.transport, edge?.version, edge?.advert_interval, edge?.preempt, edge?.preempt_delay], ['multicast', 3, '330ms', false, undefined]);
    assert.deepEqual([edge6?.version, edge6?.advert_interval, edge6?.preempt_delay], [3, '250ms', '2.5s']);
    assert.deepEqual(edge?.provider, { type: 'local', garp_repeat: 2, garp_interval: '1ms', garp_refresh: '1m' });
    assert.deepEqual(edge6?.provider, { type: 'local', garp_repeat: 2, garp_interval: '1ms', garp_refresh: '0s' });
    assert.equal(edge?.auth_pass, undefined);
    entry(r.report, 'unmapped', 'unicast_peer { 203.0.113.12, 203.0.113.13 }', 22);
    entry(r.report, 'unmapped', 'unicast_peer { 2001:db8::12 }', 43);
    entry(r.report, 'unmapped', 'auth_type PASS', 30);
    entry(r.report, 'unmapped', 'vrrp_strict', 10);
    assert.match(r.yaml, /# keepalived sent this VRID's adverts by unicast to 203\.0\.113\.12, 203\.0\.113\.13\. To run it between vipd nodes by unicast\n {4}# instead/);
    // LAN only: no tls, no auth, and the loader agrees.
    assert.equal(r.config.tls, undefined);
    assert.ok(r.config.groups.every((g) => g.transport === 'multicast'));
  });

  it('includes: globs sorted, braces in order, paths relative to the including file, dot files skipped, a block spanning files', () => {
    const r = imported('includes/keepalived.conf');
    const names = r.conversion.files.map((f) => f.replace(/^.*keepalived\/includes\//, ''));
    assert.deepEqual(names, ['keepalived.conf', 'conf.d/10-global.conf', 'conf.d/20-scripts.conf', 'instances/web.conf', 'vips/web.vips', 'instances/db.conf']);
    const [web, db] = docOf(r).groups;
    assert.deepEqual(web?.vips, ['192.0.2.81/24', '192.0.2.80/24']);
    assert.deepEqual(db?.vips, ['192.0.2.82/24']);
    assert.equal(docOf(r).node.id, 'inc-node');
    const none = entry(r.report, 'note', 'include optional/*.conf', 7);
    assert.match(none.reason, /matched no file/);
    const label = entry(r.report, 'note', 'label eth0:web', 2);
    assert.match(label.at.file, /includes\/vips\/web\.vips$/);
  });

  it('ipv6: version 3 for IPv6 VIPs, the other family and the excluded addresses unmapped', () => {
    const r = imported('ipv6.conf');
    const [v6, v4] = docOf(r).groups;
    assert.deepEqual([v6?.version, v6?.advert_interval, v6?.vips], [3, '20ms', ['2001:db8:0:1::10/64', '2001:db8:0:1::11/64']]);
    assert.deepEqual([v4?.version, v4?.advert_interval, v4?.vips], [3, '1.5s', ['192.0.2.92/24']]);
    entry(r.report, 'note', 'version 2', 10);
    entry(r.report, 'unmapped', '192.0.2.91/24', 17);
    entry(r.report, 'unmapped', 'virtual_ipaddress_excluded', 30);
    entry(r.report, 'unmapped', 'virtual_routes', 34);
    assert.equal(r.config.groups[0]?.vips[0]?.family, 6);
  });

  it('track-file: track_file and vrrp_track_file as file checks, vrrp_track_process as a process check', () => {
    const r = imported('track-file.conf');
    assert.deepEqual(docOf(r).checks, [
      { name: 'maintenance', type: 'file', weight: -50, path: '/run/keepalived/maintenance' },
      { name: 'drain', type: 'file', path: '/run/keepalived/drain' },
      { name: 'haproxy', type: 'process', weight: 20, process: 'haproxy', args: '-f /etc/haproxy/haproxy.cfg' },
    ]);
    assert.deepEqual(docOf(r).groups[0]?.track, ['maintenance', { check: 'drain', weight: 5 }, 'haproxy']);
    entry(r.report, 'unmapped', 'init_file 0 overwrite', 7);
    entry(r.report, 'unmapped', 'delay 2', 18);
    assert.deepEqual(r.config.groups[0]?.tracks, [{ check: 'maintenance', weight: -50, file: true }, { check: 'drain', weight: 5, file: true }, { check: 'haproxy', weight: 20, file: false }]);
  });

  it('notify: every hook kind as argv, user and group unmapped; state MASTER without priority is the address owner, whose weighted trackers keepalived ignores', () => {
    const r = imported('notify.conf');
    const [gw] = docOf(r).groups;
    assert.equal(gw?.priority, 255);
    assert.deepEqual(gw?.track, ['if-eth2']);
    assert.deepEqual(gw?.notify, {
      master: ['/etc/keepalived/scripts/gw.sh', 'master'],
      backup: ['/etc/keepalived/scripts/gw.sh', 'backup'],
      fault: ['/etc/keepalived/scripts/gw.sh', 'fault'],
      stop: ['/etc/keepalived/scripts/gw-stop.sh'],
      script: ['/etc/keepalived/scripts/notify.sh', '--log', '/var/log/keepalived state.log'],
    });
    entry(r.report, 'unmapped', 'notify_master ... root root', 27);
    entry(r.report, 'note', 'state MASTER (no priority)', 14);
    entry(r.report, 'note', 'track_script { chk_gw }', 21);
    entry(r.report, 'unmapped', 'use_vmac', 35);
    assert.equal(docOf(r).node.id, 'gw-01');
  });

  it('conditional: @ID lines for the config id, $PARAMETERs substituted; LVS and static addresses unmapped', () => {
    const r = imported('conditional.conf', { configId: 'main' });
    const [g] = docOf(r).groups;
    assert.equal(docOf(r).node.id, 'lb-main');
    assert.deepEqual([g?.interface, g?.priority, g?.preempt, g?.vips], ['eth0', 200, undefined, ['192.0.2.150/24']]);
    assert.deepEqual(g?.provider, { type: 'local', label: 'eth0:1', garp_repeat: 3, garp_master_delay: '0s' });
    assert.deepEqual(g?.notify, { master: ['/usr/local/bin/announce', 'main', '192.0.2.150'] });
    entry(r.report, 'unmapped', 'virtual_server', 28);
    entry(r.report, 'unmapped', 'static_ipaddress', 37);
    entry(r.report, 'note', '@ conditional lines', 8);
    const backup = imported('conditional.conf', { configId: 'backup' });
    const [b] = docOf(backup).groups;
    assert.deepEqual([docOf(backup).node.id, b?.priority, b?.preempt], ['lb-backup', 100, false]);
  });

  it('aws secondary-ip: the script file becomes mode secondary-ip with its ENI and region; the master and the undo-only backup hooks are dropped', () => {
    const r = imported('aws-secondary-ip.conf');
    const [g] = docOf(r).groups;
    assert.deepEqual(g?.provider, { type: 'aws', mode: 'secondary-ip', region: 'eu-west-1', eni_id: 'eni-0123456789abcdef0' });
    assert.deepEqual(g?.notify, { fault: ['aws/notify-log.sh', 'FAULT'] });
    assert.deepEqual(g?.vips, ['192.0.2.50/24']);
    const note = entry(r.report, 'note', 'notify_master (the script', 33);
    assert.match(note.reason, /mode secondary-ip, and the hook was dropped/);
    assert.ok(r.report.some((e) => e.at.line === 33 && /systemctl reload haproxy/.test(e.reason)), 'the other command is named');
    entry(r.report, 'note', 'notify_backup', 34);
    assert.match(r.yaml, /# NOTE \S+aws-secondary-ip\.conf:33:5 notify_master \(the script .*aws\/master-secondary-ip\.sh\): calls aws ec2/);
  });

  it('aws eip: the command line becomes mode eip after the local provider; the generic notify stays', () => {
    const r = imported('aws-eip.conf');
    const [g] = docOf(r).groups;
    assert.deepEqual(g?.providers, [
      { type: 'local' },
      { type: 'aws', mode: 'eip', region: 'us-east-1', allocation_id: 'eipalloc-0a1b2c3d4e5f67890', private_ip: '198.51.100.60' },
    ]);
    assert.deepEqual(g?.notify, { script: ['/etc/keepalived/notify.sh'] });
    entry(r.report, 'note', 'notify_master (the command line)', 14);
  });

  it('aws route: literal tables converted, a table in a loop variable reported and the hook kept; an id in a variable is not converted', () => {
    const r = imported('aws-route.conf');
    const [route, vars] = docOf(r).groups;
    assert.deepEqual(route?.providers, [
      { type: 'local' },
      { type: 'aws', mode: 'route', region: 'eu-central-1', route_tables: ['rtb-00112233'], cidrs: ['203.0.113.10/32'] },
    ]);
    assert.deepEqual(route?.notify, { master: ['/bin/bash', 'aws/route-master.sh'] });
    const problem = entry(r.report, 'unmapped', 'notify_master (the script', 18);
    assert.match(problem.reason, /--route-table-id \$RTB is not a literal rtb- id/);
    assert.deepEqual(vars?.provider, { type: 'local' });
    assert.match(entry(r.report, 'unmapped', 'notify_master (the command line)', 28).reason, /\$EIP_ALLOC is not a literal eipalloc- id/);
  });
});
