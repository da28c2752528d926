/**
 * The cloud phase's pure parts: the numbers from the fake's request log (bench/cloud-measure.ts),
 * what each side is given (bench/cloud-config.ts, keepalived's unicast config, vipd's role line)
 * and the table and goals (bench/cloud-report.ts).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { cloudEnv, notifyMasterScript, shQuote, vipdAwsProvider, type CloudTarget } from '../../../bench/cloud-config.js';
import { cloudTimes, parseNftPackets, parseTakingLine, relativeEvents, wallToPerf, type CloudEvent } from '../../../bench/cloud-measure.js';
import type { CloudRecord } from '../../../bench/cloud-record.js';
import { cloudTable, cloudTargetLines } from '../../../bench/cloud-report.js';
import { keepalivedConf, parseVipdRole, SETTINGS } from '../../../bench/impls.js';

/** A request that took 50 ms (the configured latency), leaving the address with `owner`. */
const ev = (node: string | undefined, action: string, at: number, owner: string | undefined, status = 200): CloudEvent => ({ node, action, at, doneAt: at + 50, status, owner });

describe('cloudTimes', () => {
  // The fault at 1000 ms; b decides at 1390 and makes the eip provider's three requests.
  const takeover = [
    ev('b', 'DescribeAddresses', 500, 'a'), // keep-warm before the fault: not counted
    ev('a', 'CreateTags', 1001, 'a'), // a's last call, still in flight
    ev('b', 'DescribeAddresses', 1400, 'a'),
    ev('b', 'AssociateAddress', 1451, 'b'),
    ev('b', 'CreateTags', 1502, 'b'),
  ];

  it('fault → first request, AssociateAddress, visible; decision → request; requests by node', () => {
    const t = cloudTimes(takeover, { faultAt: 1000, newMaster: 'b', masterAt: 1290, decisionAt: 1390 });
    assert.deepEqual(t, {
      firstRequestMs: 400,
      firstAssociateMs: 451,
      visibleMs: 501,
      masterMs: 290,
      decisionMs: 390,
      decisionToRequestMs: 10,
      decisionToAssociateMs: 61,
      requestsAfter: { a: 1, b: 3 },
      failedAfter: 0,
      finalOwner: 'b',
    });
  });

  it('a throttled AssociateAddress: the first attempt counts as the request, the retry as visible', () => {
    const t = cloudTimes([ev('b', 'AssociateAddress', 1300, 'a', 503), ev('b', 'AssociateAddress', 1700, 'b')], { faultAt: 1000, newMaster: 'b', decisionAt: 1290 });
    assert.equal(t.firstAssociateMs, 300);
    assert.equal(t.visibleMs, 750);
    assert.equal(t.failedAfter, 1);
  });

  it('a request between the fault and the decision is not the decision\'s first request', () => {
    const t = cloudTimes([ev('b', 'DescribeAddresses', 1200, 'a'), ev('b', 'AssociateAddress', 1395, 'b')], { faultAt: 1000, newMaster: 'b', decisionAt: 1390 });
    assert.equal(t.firstRequestMs, 200);
    assert.equal(t.decisionToRequestMs, 5);
  });

  it('without a decision or a move: only what was seen', () => {
    const t = cloudTimes([ev('a', 'DescribeAddresses', 1100, 'a')], { faultAt: 1000, newMaster: 'b' });
    assert.deepEqual(t, { requestsAfter: { a: 1 }, failedAfter: 0, finalOwner: 'a' });
  });

  it('relativeEvents: times from the fault, recomputable with faultAt 0', () => {
    const rel = relativeEvents(takeover, 1000);
    assert.equal(rel[2]?.at, 400);
    assert.deepEqual(cloudTimes(rel, { faultAt: 0, newMaster: 'b', decisionAt: 390 }), cloudTimes(takeover, { faultAt: 1000, newMaster: 'b', decisionAt: 1390 }));
  });

  it('wallToPerf puts an epoch-ms time on the performance.now() clock within 1 ms', () => {
    const offset = Date.now() - performance.now();
    const perf = performance.now();
    const wall = Date.now();
    assert.ok(Math.abs(wallToPerf(wall, offset) - perf) < 1 + (performance.now() - perf), `${wallToPerf(wall, offset)} vs ${perf}`);
  });
});

describe('parseNftPackets', () => {
  it('sums the packets of every counter in an nft listing', () => {
    const listing = [
      'table inet vipdbenchcloud {',
      '\tchain output {',
      '\t\ttype filter hook output priority filter; policy accept;',
      '\t\tip daddr != { 127.0.0.0/8, 192.0.2.0/24 } counter packets 3 bytes 180 drop',
      '\t\tip6 daddr != { ::1, fe80::/10, ff02::/16 } counter packets 2 bytes 152 drop',
      '\t}',
      '}',
    ].join('\n');
    assert.equal(parseNftPackets(listing), 5);
    assert.equal(parseNftPackets(listing.replace(/packets \d+/g, 'packets 0')), 0);
  });
});

describe('what each side is given', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-cloud-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const target: CloudTarget = {
    endpoint: 'http://127.0.0.1:41234',
    region: 'us-east-1',
    allocationId: 'eipalloc-0123456789abcdef0',
    node: { instanceId: 'i-0123456789abcdef0', eniId: 'eni-0123456789abcdef0', privateIp: '198.51.100.12', credentials: { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY'x" } },
  };

  it('cloudEnv drops every AWS_* of the base and turns off profile, shared files and IMDS', () => {
    const env = cloudEnv({ PATH: '/usr/bin', AWS_PROFILE: 'prod', AWS_ENDPOINT_URL: 'https://elsewhere.invalid', AWS_DEFAULT_REGION: 'eu-west-1' }, target.node.credentials, 'us-east-1');
    assert.deepEqual(env, {
      PATH: '/usr/bin',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_PAGER: '',
      AWS_ACCESS_KEY_ID: 'AKIAI44QH8DHBEXAMPLE',
      AWS_SECRET_ACCESS_KEY: target.node.credentials.secretAccessKey,
      AWS_REGION: 'us-east-1',
    });
  });

  it('shQuote survives sh for quotes, spaces, $ and backslashes', () => {
    for (const s of ["it's", 'a b  c', '$HOME `x` \\n', '', "''"]) {
      assert.equal(execFileSync('sh', ['-c', `printf '%s' ${shQuote(s)}`], { encoding: 'utf8' }), s);
    }
  });

  it('the notify_master script runs the CLI with the guide\'s arguments and only its own environment', () => {
    // A stand-in CLI that records its arguments and environment.
    const cli = join(dir, 'fake-aws');
    const out = join(dir, 'cli-call');
    writeFileSync(cli, `#!/bin/sh\n{ printf '%s\\n' "$@"; echo ---; env | sort; } > ${shQuote(out)}\n`);
    chmodSync(cli, 0o755);
    const script = join(dir, 'notify.sh');
    writeFileSync(script, notifyMasterScript(target, join(dir, 'notify.log'), dir, cli));
    chmodSync(script, 0o755);
    execFileSync(script, [], { env: { PATH: '/usr/bin:/bin', AWS_PROFILE: 'prod', AWS_ENDPOINT_URL_EC2: 'https://elsewhere.invalid' } });
    const [args, env] = readFileSync(out, 'utf8').split('---\n') as [string, string];
    assert.deepEqual(args.trim().split('\n'), [
      'ec2', 'associate-address',
      '--allocation-id', 'eipalloc-0123456789abcdef0',
      '--network-interface-id', 'eni-0123456789abcdef0',
      '--allow-reassociation',
      '--endpoint-url', 'http://127.0.0.1:41234',
      '--region', 'us-east-1',
    ]);
    const vars = env.trim().split('\n').filter((l) => !l.startsWith('PWD=')).sort();
    assert.deepEqual(vars, [
      'AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE',
      'AWS_CONFIG_FILE=/dev/null',
      'AWS_EC2_METADATA_DISABLED=true',
      'AWS_PAGER=',
      `AWS_SECRET_ACCESS_KEY=${target.node.credentials.secretAccessKey}`,
      'AWS_SHARED_CREDENTIALS_FILE=/dev/null',
      `HOME=${dir}`,
      'PATH=/usr/bin:/bin',
    ]);
  });

  it('vipd\'s provider mapping is YAML naming every identity (no IMDS lookup)', () => {
    assert.deepEqual(parse(vipdAwsProvider(target)), {
      type: 'aws', mode: 'eip', allocation_id: 'eipalloc-0123456789abcdef0', region: 'us-east-1',
      instance_id: 'i-0123456789abcdef0', eni_id: 'eni-0123456789abcdef0', endpoint: 'http://127.0.0.1:41234',
    });
  });

  it('keepalived: unicast peers and the notify line in the cloud phase, multicast otherwise', () => {
    const cloud = keepalivedConf('veth0', 'b', SETTINGS['100ms'], 1, { src: '192.0.2.12', peer: '192.0.2.11', lines: ['notify_master /tmp/n.sh'] });
    assert.match(cloud, /script_user root/);
    assert.match(cloud, / {2}version 3\n {2}unicast_src_ip 192\.0\.2\.12\n {2}unicast_peer \{\n {4}192\.0\.2\.11\n {2}\}\n {2}notify_master \/tmp\/n\.sh\n {2}virtual_ipaddress \{\n {4}192\.0\.2\.50\/24\n {2}\}\n\}\n$/);
    const lan = keepalivedConf('veth0', 'b', SETTINGS['100ms'], 1);
    assert.doesNotMatch(lan, /unicast|notify|script_user/);
    assert.match(lan, / {2}advert_int 0\.1\n {2}version 3\n {2}virtual_ipaddress \{/);
  });

  it('parseTakingLine finds the line that issues a leased group\'s AcquireVip, with its own time', () => {
    const line = (o: object) => JSON.stringify({ level: 30, time: 1764640000456, node: 'b', ...o });
    assert.deepEqual(parseTakingLine(line({ group: 'web', msg: 'lease granted by 2 of 3 voters: taking the VIP', term: 4 }), 'web'), { wallMs: 1764640000456, msg: 'lease granted by 2 of 3 voters: taking the VIP' });
    assert.equal(parseTakingLine(line({ group: 'db', msg: 'lease granted by 2 of 3 voters: taking the VIP' }), 'web'), undefined, 'another group');
    assert.equal(parseTakingLine(line({ group: 'web', msg: 'BACKUP -> MASTER (master down)' }), 'web'), undefined);
    assert.equal(parseTakingLine(line({ group: 'web', msg: 'lease expired; releasing the VIP, still advertising' }), 'web'), undefined);
    assert.equal(parseTakingLine('{not json: taking the VIP', 'web'), undefined);
  });

  it('parseVipdRole keeps the log line\'s own time', () => {
    const line = { t: 5, text: JSON.stringify({ level: 30, time: 1764640000123, group: 'web', msg: 'BACKUP -> MASTER (master down: no advert for 360 ms)' }) };
    assert.deepEqual(parseVipdRole(line), { t: 5, group: 'web', to: 'MASTER', text: 'BACKUP -> MASTER (master down: no advert for 360 ms)', wallMs: 1764640000123 });
  });
});

describe('cloud report', () => {
  const rec = (impl: CloudRecord['impl'], run: number, associate: number, decisionToRequest: number, error?: string): CloudRecord => ({
    type: 'cloud', impl, scenario: 'agent-crash', run, at: '', latencyMs: 50,
    ...(error ? { error } : {}),
    connectionsAfterFault: { a: 0, b: impl === 'keepalived' ? 1 : 0 },
    benchLoopDelayMs: { p50: 1, p99: run, max: 2 * run },
    times: { firstRequestMs: associate - 50, firstAssociateMs: associate, visibleMs: associate + 50, decisionMs: 300, decisionToRequestMs: decisionToRequest, decisionToAssociateMs: decisionToRequest + 50, requestsAfter: { b: 3 }, failedAfter: 0, finalOwner: 'b' },
  });
  const records = [
    rec('keepalived', 1, 900, 500), rec('keepalived', 2, 1000, 600), rec('keepalived', 3, 1100, 700),
    rec('vipd-unicast', 1, 80, 4), rec('vipd-unicast', 2, 90, 25), rec('vipd-unicast', 3, 100, 6),
    rec('vipd-unicast', 4, 5000, 900, 'the address did not reach b'), // failed runs count only as failed
  ];

  it('the table: medians with ranges, vipd ÷ keepalived, the goal beside each goal row', () => {
    const t = cloudTable(records, 3);
    assert.deepEqual(t.header, ['scenario', 'metric', 'keepalived + aws CLI', 'vipd aws eip', '÷ka', 'goal']);
    assert.deepEqual(t.rows.find((r) => r[1] === 'fault → AssociateAddress'), ['', 'fault → AssociateAddress', '1000 (900-1100)', '90 (80-100)', '0.09×', 'vipd ≤ 0.1× ka']);
    assert.deepEqual(t.rows.find((r) => r[1] === 'decision → first request'), ['', 'decision → first request', '600.0 (500.0-700.0)', '6.0 (4.0-25.0)', '0.01×', 'vipd ≤ 20 ms']);
    assert.deepEqual(t.rows.find((r) => r[1] === 'failed runs'), ['', 'failed runs', '0/3', '1/4', '', '']);
    assert.deepEqual(t.rows.find((r) => r[1] === 'new connections by b after the fault'), ['', 'new connections by b after the fault', '1', '0', '', '']);
    // p99: the median over the runs; max: the largest of any run (the failed vipd run 4 included).
    assert.deepEqual(t.rows.find((r) => r[1] === 'bench event-loop delay p99 / max'), ['', 'bench event-loop delay p99 / max', '2.0 / 6.0', '2.5 / 8.0', '', '']);
    assert.equal(t.rows[0]?.[0], 'agent-crash');
    assert.equal(t.rows.some((r) => r[0] === 'graceful-stop'), false, 'no rows for a scenario not run');
  });

  it('the goals: the ratio of medians, and decision → request in every run', () => {
    assert.deepEqual(cloudTargetLines(records), [
      'met  cloud agent-crash: vipd fault → AssociateAddress 90 ms = 0.09 × keepalived + CLI 1000 ms (goal ≤ 0.1×)',
      'MISSED cloud agent-crash: vipd decision → first request median 6.0 ms, max 25.0 ms over 3 runs (goal ≤ 20 ms in every run, over by 5.0 ms)',
    ]);
    const slow = records.map((r) => (r.impl === 'vipd-unicast' && r.times ? { ...r, times: { ...r.times, firstAssociateMs: 300, decisionToRequestMs: 3 } } : r));
    assert.deepEqual(cloudTargetLines(slow), [
      'MISSED cloud agent-crash: vipd fault → AssociateAddress 300 ms = 0.30 × keepalived + CLI 1000 ms (goal ≤ 0.1×, over by 200 ms)',
      'met  cloud agent-crash: vipd decision → first request median 3.0 ms, max 3.0 ms over 3 runs (goal ≤ 20 ms in every run)',
    ]);
  });
});
