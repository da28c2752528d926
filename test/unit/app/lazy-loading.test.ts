/**
 * Only what the configuration uses is loaded (issue 10, "less cost"): `vipd run` is started as a
 * child process with a preload (test/fixtures/loaded/record.ts) that records every module it
 * loads and prints the npm packages among them when it exits. A LAN-only node loads no gRPC,
 * protobuf, TLS or certificate code; a unicast node loads gRPC but no certificate library; a node
 * without a cloud provider loads no cloud SDK; an aws node loads the AWS SDK but nothing of
 * Google's. Every child stops itself (SIGTERM) after a few seconds; every wait is bounded.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initCa, issueNodeCert } from '../../../src/security/certs.js';
import { ROOT } from '../cli/child.js';

const GRPC = ['@grpc/grpc-js', '@grpc/proto-loader', 'grpc-health-check', 'protobufjs'];
const CERTIFICATES = ['@peculiar/x509', 'reflect-metadata', 'tsyringe', 'asn1js'];
const AWS = ['@aws-sdk/client-ec2', '@aws-sdk/ec2-metadata-service', '@smithy/node-http-handler'];
const GOOGLE = ['@google-cloud/compute', 'google-auth-library', 'gcp-metadata', 'google-gax'];

interface Run {
  packages: string[];
  out: string;
  err: string;
}

/** Runs `vipd run -c file` with the recording preload until it logged `booted` (at most 20 s). */
async function run(file: string, dir: string, booted: RegExp, env: Record<string, string> = {}): Promise<Run> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.log`);
  const proc = spawn(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/loaded/record.ts', 'src/cli/vipd.ts', 'run', '-c', file], {
    cwd: ROOT, env: { ...process.env, NO_COLOR: '1', VIPD_LOADED_LOG: log, VIPD_LOADED_AFTER: booted.source, VIPD_LOADED_RUN_MS: '20000', ...env },
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // Printed before the SIGTERM; a node still waiting for its provider may take long to stop.
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  for (const end = Date.now() + 30_000; !/^LOADED-PACKAGES /m.test(err) && proc.exitCode === null && Date.now() < end;) await new Promise((r) => setTimeout(r, 50));
  proc.kill('SIGKILL');
  await exited;
  const line = /^LOADED-PACKAGES (.*)$/m.exec(err);
  assert.ok(line?.[1], `the child printed what it loaded\nstdout:\n${out}\nstderr:\n${err}`);
  return { packages: JSON.parse(line[1]) as string[], out, err };
}

const none = (r: Run, names: readonly string[], what: string) =>
  assert.deepEqual(r.packages.filter((p) => names.includes(p)), [], `${what} loaded: ${r.packages.join(', ')}`);

describe('vipd run loads only what its configuration uses', () => {
  let dir: string;
  let tls: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vipd-lazy-'));
    await initCa({ dir, clusterId: 'demo' });
    await issueNodeCert({ dir, nodeId: 'node-a', sans: ['127.0.0.1'], days: 2 });
    await writeFile(join(dir, 'k1.key'), Buffer.alloc(32, 7).toString('base64'));
    tls = `tls: { ca: ${dir}/ca.crt, cert: ${dir}/node-a.crt, key: ${dir}/node-a.key }
auth: { active_key: k1, keys: [{ id: k1, secret_file: ${dir}/k1.key }] }`;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const unicast = (provider: string) => `cluster_id: demo
node: { id: node-a, listen: 127.0.0.1:0 }
log: { format: json }
${tls}
groups:
  - name: web
    vrid: 51
    interface: lo
    vips: [192.0.2.50/32]
    peers: [node-b]
    quorum: none
    provider: ${provider}
`;

  it('a LAN-only node (VRRP groups only): no gRPC, protobuf, TLS, certificate or cloud code', async () => {
    const file = join(dir, 'lan.yaml');
    await writeFile(file, `cluster_id: demo
node: { id: solo }
log: { format: json }
groups:
  - { name: web, vrid: 51, interface: lo, vips: [192.0.2.50/32], transport: multicast }
`);
    const r = await run(file, dir, /speaking VRRP on lo|start failed/);
    // Booted: it spoke VRRP, or (without CAP_NET_RAW) its socket failed after the boot.
    assert.match(r.out, /speaking VRRP on lo|start failed/, r.out);
    none(r, [...GRPC, ...CERTIFICATES, ...AWS, ...GOOGLE, 'pino-pretty'], 'for a LAN-only node');
    assert.ok(r.packages.includes('pino') && r.packages.includes('yaml'), `the probe sees packages: ${r.packages.join(', ')}`);
  });

  it('a unicast node with TLS and the noop provider: gRPC, but no certificate library and no cloud SDK', async () => {
    const file = join(dir, 'unicast.yaml');
    await writeFile(file, unicast('{ type: noop }'));
    const r = await run(file, dir, /serving peers on/);
    assert.match(r.out, /serving peers on 127\.0\.0\.1:\d+/, r.out);
    assert.ok(r.packages.includes('@grpc/grpc-js'), `gRPC is loaded: ${r.packages.join(', ')}`);
    none(r, [...CERTIFICATES, ...AWS, ...GOOGLE, 'pino-pretty'], 'for a unicast node without a cloud provider');
  });

  it('an aws node loads the AWS SDK (when its provider first works) and nothing of Google\'s', async () => {
    const file = join(dir, 'aws.yaml');
    await writeFile(file, unicast('{ type: aws, mode: eip, allocation_id: eipalloc-0123456789abcdef0, region: eu-west-1, eni_id: eni-01234567, instance_id: i-0123456789abcdef0, request_timeout: 1s }'));
    // Nothing listens on port 1: every EC2 call is refused at once (loopback only).
    const r = await run(file, dir, /aws:eip DescribeAddresses/, { AWS_ENDPOINT_URL_EC2: 'http://127.0.0.1:1', AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:1', AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example' });
    assert.ok(r.packages.includes('@aws-sdk/client-ec2'), `the AWS SDK is loaded: ${r.packages.join(', ')}`);
    none(r, [...GOOGLE, ...CERTIFICATES], 'for an aws node');
  });
});
