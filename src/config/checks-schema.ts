/**
 * `checks:` (top level) and a group's `track:` (issue 11 §1, docs/health-checks.md): health
 * checks with keepalived's vrrp_script semantics, typed. A check is defined once by name; a group
 * tracks it, optionally with its own weight (keepalived's `track_script { NAME weight W }`).
 */
import { z } from 'zod';
import { documentDefault, durationMs, integer, name, oneOf, section } from './fields.js';
import { fieldError, listError } from './messages.js';

export const CHECK_TYPES = ['exec', 'http', 'https', 'tcp', 'interface', 'file', 'process'] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

const WEIGHT_HINT = 'keepalived weight -254..254: > 0 adds it to the priority while the check is OK, < 0 subtracts while it fails, 0 puts the group in Fault while it fails (file: the value read is multiplied by it)';
const weight = integer(-254, 254, WEIGHT_HINT);
const MAX_ARGV = 64;
const ARG_MAX_CHARS = 4096;

const common = {
  name: name('the check\'s name, which groups track'),
  type: oneOf(CHECK_TYPES, 'exec (a command), http/https (a GET), tcp (a connect), interface (link up), file (an integer, keepalived track_file), process (a named process runs)'),
  interval: durationMs('how often it runs, from the start of one run to the next; 100ms-1h, default 1s', { minMs: 100, maxMs: 3_600_000 }).optional(),
  timeout: durationMs('a run that has not finished by then is stopped (exec: its process group killed) and fails; 10ms-10m, default the interval, at most the interval', { minMs: 10, maxMs: 600_000 }).optional(),
  rise: integer(1, 100, 'consecutive successes that make a failed check OK, default 1').default(1),
  fall: integer(1, 100, 'consecutive failures that make an OK check fail, default 1').default(1),
  weight: weight.optional(),
  init_fail: z.boolean({ error: fieldError('true or false', 'whether the check starts failed') }).default(false)
    .describe('start failed and need `rise` successes (keepalived init_fail); default false: the first result decides. Before its first result a check counts as failing either way'),
  // exec
  command: z.array(z.string().min(1).max(ARG_MAX_CHARS), { error: listError('a list of strings', 'the program and its arguments, no shell') }).min(1).max(MAX_ARGV).optional()
    .describe('exec: the program and its arguments (no shell), e.g. ["/usr/bin/pgrep", "-x", "haproxy"]; exit 0 is success'),
  // http, https
  url: z.url({ error: fieldError('an http:// or https:// URL', 'what the check GETs') }).max(2048).optional().describe('http/https: the URL to GET'),
  expect_status: z.array(integer(100, 599, 'an HTTP status')).max(32).optional().describe('http/https: the statuses that pass, default any 2xx'),
  body_match: z.string().max(1024).optional().describe('http/https: a regular expression the body (its first 64 KiB) must match'),
  tls_verify: z.boolean().default(true).describe('https: verify the server certificate, default true'),
  // tcp
  host: z.string().min(1).max(253).optional().describe('tcp: the host to connect to, default 127.0.0.1'),
  port: integer(1, 65535, 'tcp: the port to connect to').optional(),
  // interface
  interface: z.string().min(1).max(15).optional().describe('interface: the Linux interface whose link must be up'),
  // file
  path: z.string().min(1).max(4095).optional().describe('file: a file holding one integer -254..254'),
  // process
  process: z.string().min(1).max(255).optional().describe('process: the process name (as `pgrep -x` matches it)'),
  args: z.string().min(1).max(ARG_MAX_CHARS).optional().describe('process: a string its command line must contain'),
};

export const checkSchema = section(common, 'a health check: name, type, interval, timeout, rise, fall, weight and the fields of its type');

export const checksSchema = documentDefault(
  z.array(checkSchema, { error: listError('a list of checks', 'health checks that groups track (docs/health-checks.md)') }).max(256).default([])
    .describe('health checks that groups track (docs/health-checks.md); names unique'),
  [],
);

/** A group's `track:` entry: a check's name, or `{check, weight}` to override its weight. */
export const trackSchema = z.union([
  name('the name of a check in `checks`'),
  section({ check: name('the name of a check in `checks`'), weight: weight.optional() }, 'a tracked check with its own weight'),
], { error: fieldError('a check name, or {check: NAME, weight: W}', 'a health check this group tracks') });

export const tracksSchema = z.array(trackSchema, { error: listError('a list of check names or {check, weight}', 'the health checks that move this group\'s priority') }).max(64).default([])
  .describe('health checks this group tracks (names in `checks`, or {check, weight} to override the weight): docs/health-checks.md');

export type RawCheck = z.output<typeof checkSchema>;
export type RawTrack = z.output<typeof trackSchema>;
