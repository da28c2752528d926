/**
 * What the cloud phase gives each side (bench/cloud.ts). Pure: text and environments out.
 *
 * keepalived: a `notify_master` script running Debian's AWS CLI — the pattern of the common AWS
 * HA guides: on becoming master, `aws ec2 associate-address --allow-reassociation` moves the
 * Elastic IP to this instance's ENI. vipd: the group's `aws` provider in `eip` mode. Both point
 * at the same EC2 endpoint (the fake, at 127.0.0.1 inside the node's own namespace) with the
 * node's own key pair, and neither may reach anything else: no profile or shared files, no
 * instance metadata (AWS_EC2_METADATA_DISABLED), no AWS_* variable of the bench's own
 * environment.
 */
import type { CloudNode } from './ec2-endpoint.js';

/** Debian's awscli 2.x (`aws` on PATH may be another one, e.g. pyenv's v1). */
export const AWS_CLI = '/usr/bin/aws';

export interface CloudTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly allocationId: string;
  readonly node: CloudNode;
}

/**
 * The environment an agent (and what it starts) runs with: `base` without any AWS_* variable,
 * then the node's key pair, the region, and every AWS lookup that could leave the fake off.
 */
export function cloudEnv(base: Readonly<Record<string, string | undefined>>, credentials?: CloudNode['credentials'], region?: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith('AWS_')) env[k] = v;
  Object.assign(env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
  });
  if (credentials) Object.assign(env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey });
  if (region) env.AWS_REGION = region;
  return env;
}

/** Single-quoted for sh: safe for any text. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * keepalived's notify_master script: the CLI call of the AWS HA guides, run with a clean
 * environment (`env -i`: keepalived's own environment does not leak in), its output appended
 * to `logFile` so a failed call can be shown.
 */
export function notifyMasterScript(t: CloudTarget, logFile: string, home: string, cli = AWS_CLI): string {
  const env = cloudEnv({ PATH: '/usr/bin:/bin', HOME: home }, t.node.credentials);
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${shQuote(v)}`);
  const argv = [
    cli, 'ec2', 'associate-address',
    '--allocation-id', t.allocationId,
    '--network-interface-id', t.node.eniId,
    '--allow-reassociation',
    '--endpoint-url', t.endpoint,
    '--region', t.region,
  ];
  return [
    '#!/bin/sh',
    '# keepalived notify_master (bench/cloud-config.ts): move the Elastic IP to this instance',
    `exec env -i ${assignments.join(' ')} \\`,
    `  ${argv.map(shQuote).join(' ')} >> ${shQuote(logFile)} 2>&1`,
    '',
  ].join('\n');
}

/** vipd's `provider:` for the group: aws eip with every identity given (no IMDS lookup). */
export function vipdAwsProvider(t: CloudTarget): string {
  const fields = {
    type: 'aws',
    mode: 'eip',
    allocation_id: t.allocationId,
    region: t.region,
    instance_id: t.node.instanceId,
    eni_id: t.node.eniId,
    endpoint: t.endpoint,
  };
  // JSON is a YAML flow mapping.
  return JSON.stringify(fields);
}
