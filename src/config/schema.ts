// The schema of the raw YAML document (snake_case). It checks each field on its own; rules
// that relate fields (advert interval vs version, duplicates, peers vs node id, quorum) live in
// group.ts, cluster.ts, trust.ts and semantic.ts. Every mapping is strict: an unknown key is an error, never
// ignored, because a typo such as `prioritty` would otherwise run with the default priority.
// Each field has one hint: its JSON Schema description and its "required (...)" message.
import { z } from 'zod';
import { isUnspecifiedHost, parseAddress, parseHostPort, parseVip, vipAddressProblem } from './address.js';
import { documentDefault, duration, filePath, IFNAMSIZ, integer, lengthIssue, name, oneOf, section } from './fields.js';
import { describeInput, fieldError, listError, secretError } from './messages.js';
import { checksSchema, tracksSchema } from './checks-schema.js';
import { notifySchema } from './notify-schema.js';
import { syncGroupsSchema } from './sync-groups.js';
import { apiSchema } from './api-schema.js';
import { DEFAULT_PROVIDER, providerSchema, type ProviderCatalogue } from './provider-schema.js';
import type { ProviderConfig } from './types.js';
import { DEFAULT_LISTEN, LOG_FORMATS, LOG_LEVELS, NODE_ROLES, QUORUM_RULES, SIGNING_MODES, TIMING_NAMES, TRANSPORT_NAMES, VRRP_PEER_KINDS } from './types.js';


const IFNAME_RULE = 'a Linux interface name: 1-15 bytes without "/", ":" or whitespace, not "." or "..", not starting with "-"';
const IFNAME_HINT = 'the Linux interface that carries the VIP, e.g. eth0';
/** For editors only (it counts characters, not bytes); interfaceNameProblem is the rule. */
const IFNAME_PATTERN = '^(?!-)(?!\\.{1,2}$)[^/:\\s]{1,15}$';

/**
 * Linux dev_valid_name() (net/core/dev.c): 1 to IFNAMSIZ - 1 bytes, no "/", ":" or whitespace,
 * not "." or "..". Also never a leading "-": the local provider hands the name to ip, arping and
 * ndisc6, and ndisc6 reads "-x" as an option (issue 8 finding 11).
 */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === '') return 'must not be empty';
  const tooLong = lengthIssue(name, IFNAMSIZ - 1, 'bytes', `IFNAMSIZ ${IFNAMSIZ} with its NUL`);
  if (tooLong !== undefined) return tooLong;
  if (name === '.' || name === '..') return 'must not be "." or ".."';
  if (name.startsWith('-')) return 'must not start with "-" (ndisc6, which the local provider runs, would read it as an option)';
  if (/[/:]/.test(name)) return 'must not contain "/" or ":"';
  // Control characters too: the kernel would stop at a NUL, and a log line at a newline.
  if (/[\s\p{Cc}]/u.test(name)) return 'must not contain whitespace or control characters';
  return undefined;
}

const interfaceName = z
  .string({ error: fieldError(IFNAME_RULE, IFNAME_HINT) })
  .superRefine((text, ctx) => {
    const problem = interfaceNameProblem(text);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `not a Linux interface name: ${problem}; got ${describeInput(text)}`, input: text });
  })
  .meta({ pattern: IFNAME_PATTERN })
  .describe(IFNAME_HINT);

const VIP_HINT = 'an IPv4 or IPv6 address with optional /prefix (default /32 or /128), e.g. 192.0.2.50/24';
/** The longest IPv6 text (45 characters, with an embedded IPv4 address) and "/128". */
const VIP_MAX_CHARS = 49;
const ADDRESS_MAX_CHARS = 45;
const MAX_VIPS = 255;
const vip = z
  .string({ error: fieldError('an IP address with optional /prefix, e.g. 192.0.2.50/24', VIP_HINT) })
  .superRefine((text, ctx) => {
    const long = lengthIssue(text, VIP_MAX_CHARS, 'characters', 'the longest IPv6 address and /128');
    if (long !== undefined) return ctx.addIssue({ code: 'custom', message: long, input: text });
    const parsed = parseVip(text);
    if (!parsed.ok) return ctx.addIssue({ code: 'custom', message: `${parsed.reason} (expected e.g. 192.0.2.50/24 or 2001:db8::50/64)`, input: text });
    const problem = vipAddressProblem(parsed.vip);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: text });
  })
  .meta({ maxLength: VIP_MAX_CHARS })
  .describe(VIP_HINT);

const NODE_ADDRESS_HINT = "this node's primary IPv4 or IPv6 address; breaks ties between equal priorities, RFC 5798 §6.4.3";
const nodeAddress = z
  .string({ error: fieldError('an IPv4 or IPv6 address', NODE_ADDRESS_HINT) })
  .superRefine((text, ctx) => {
    const long = lengthIssue(text, ADDRESS_MAX_CHARS, 'characters', 'the longest IPv6 address');
    if (long !== undefined) return ctx.addIssue({ code: 'custom', message: long, input: text });
    const parsed = parseAddress(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason, input: text });
  })
  .meta({ maxLength: ADDRESS_MAX_CHARS })
  .describe(NODE_ADDRESS_HINT);

const HOST_PORT_RULE = 'host:port, e.g. 192.0.2.11:7946, [2001:db8::11]:7946 or node-b.example:7946';
/** A 253-character host name (RFC 1123), ":" and a 5-digit port. */
const HOST_PORT_MAX_CHARS = 259;
/**
 * An endpoint of the gRPC peer service. One we `listen` on may be 0.0.0.0 / [::] (every
 * address) and port 0 (the system picks one, for tests); one that is dialed may be neither.
 */
function hostPort(hint: string, use: 'listen' | 'dial') {
  return z
    .string({ error: fieldError(HOST_PORT_RULE, hint) })
    .superRefine((text, ctx) => {
      const long = lengthIssue(text, HOST_PORT_MAX_CHARS, 'characters', 'a 253-character host name and a port');
      if (long !== undefined) return ctx.addIssue({ code: 'custom', message: long, input: text });
      const parsed = parseHostPort(text);
      if (!parsed.ok) return ctx.addIssue({ code: 'custom', message: parsed.reason, input: text });
      if (use === 'listen') return;
      if (parsed.port === 0) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: port 0 cannot be dialed; give the port the node listens on`, input: text });
      if (isUnspecifiedHost(parsed)) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(text)}: ${parsed.host} means "every address" and cannot be dialed; give an address other nodes can reach`, input: text });
      }
    })
    .meta({ maxLength: HOST_PORT_MAX_CHARS })
    .describe(hint);
}

function nodeIds(hint: string) {
  return z.array(name('a node id'), { error: listError('a list of node ids', hint) }).default([]).describe(`${hint}, default []`);
}

const PROVIDERS_HINT = 'several providers, acquired in this order and released in reverse (e.g. move an Elastic IP, then replace a route)';

/** RFC 2338 §5.3.11: Authentication Data is 8 octets; the password is zero-padded into them. */
const AUTH_PASS_BYTES = 8;
const AUTH_PASS_HINT = `VRRPv2 "auth_type PASS" password (1-${AUTH_PASS_BYTES} bytes) to match an existing keepalived setup; cleartext on the wire, protects nothing (RFC 3768 removed it)`;
const authPass = z
  .string({ error: fieldError(`a string of 1-${AUTH_PASS_BYTES} bytes`, AUTH_PASS_HINT) })
  .superRefine((text, ctx) => {
    // Bytes, not characters: "ééééé" is 10 bytes, and the wire would silently cut it to 8.
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes < 1 || bytes > AUTH_PASS_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be 1-${AUTH_PASS_BYTES} bytes (VRRPv2 Authentication Data is ${AUTH_PASS_BYTES} octets, RFC 2338 §5.3.11); got ${bytes} bytes`, input: text });
    }
  })
  .meta({ minLength: 1, maxLength: AUTH_PASS_BYTES })
  .describe(AUTH_PASS_HINT);

/** A group; its providers' mappings come from the catalogue (provider-schema.ts). */
function groupSchema(provider: z.ZodType<ProviderConfig>) {
  return section(
    {
      name: name('group name, unique in the file'),
      vrid: integer(1, 255, 'virtual router id, unique in the file; RFC 5798 §5.2.3'),
      interface: interfaceName,
      priority: integer(1, 255, 'election priority, default 100; 255 means this node owns the addresses, RFC 5798 §5.2.4', ' (255 = address owner)').default(100),
      version: z
        .literal([2, 3], { error: fieldError('2 (RFC 3768) or 3 (RFC 5798)', 'VRRP version') })
        .default(3)
        .describe('VRRP version, default 3: 2 (RFC 3768: IPv4 only, whole-second adverts) or 3 (RFC 5798: centisecond adverts)'),
      advert_interval: duration(
        'advertisement interval, default from the timing preset; version 3: a multiple of 10ms, 10ms-40.95s; version 2: whole seconds 1s-255s',
      ).optional(),
      preempt: z
        .boolean({ error: fieldError('true or false', 'whether to take over from a lower-priority master') })
        .default(true)
        .describe('take over from a lower-priority master, default true; RFC 5798 §6.1 Preempt_Mode'),
      preempt_delay: duration('wait this long after start-up before preempting; 0s-1h, default 0s', { minMs: 0, maxMs: 3_600_000 })
        .optional()
        .meta({ default: '0s' }),
      vips: z
        // An advert carries every VIP, and its Count IPvX Addr field is 8 bits (RFC 5798 §5.2.5):
        // the encoder refuses a 256th, so the file must.
        .array(vip, { error: listError(`a list of 1-${MAX_VIPS} addresses (an advert's Count IPvX Addr is 8 bits, RFC 5798 §5.2.5)`, 'the virtual IPs of this group, e.g. [192.0.2.50/24]') })
        .min(1)
        .max(MAX_VIPS)
        .describe('the virtual IPs of this group: all of one family, none in another group'),
      provider: documentDefault(provider.optional().describe(`${provider.description ?? ''}; default {type: ${DEFAULT_PROVIDER.type}}`), DEFAULT_PROVIDER),
      providers: z
        .array(provider, { error: listError('a list of provider mappings', PROVIDERS_HINT) })
        .min(1)
        .optional()
        .describe(`${PROVIDERS_HINT}; instead of provider, not with it`),
      auth_pass: authPass.optional(),
      transport: oneOf(
        TRANSPORT_NAMES,
        'how adverts travel, default auto: unicast (gRPC to peers, mutual TLS); multicast (standard VRRP on the interface, interoperates with keepalived and FRR); both (VRRP and gRPC side by side); auto (unicast when the group has peers or the file has seeds, else multicast)',
      ).default('auto'),
      vrrp_peers: oneOf(
        VRRP_PEER_KINDS,
        'transport both only: who else speaks VRRP in this VRID. any (default): keepalived or FRR may, so the group keeps RFC 5798 timing; vipd: only vipd nodes of this cluster, so it runs like a unicast group (leases, crash verdict, handoff, BFD) with VRRP adverts beside gRPC (docs/lan-mode.md "vrrp_peers: vipd")',
      ).optional(),
      peers: nodeIds("node ids of this group's other voting members; must not include node.id"),
      witnesses: nodeIds('node ids that vote in this group but hold no VIPs; not in peers, not node.id'),
      quorum: oneOf(
        QUORUM_RULES,
        'majority: master only with a majority of the voters (this node, peers, witnesses; an odd number); none: master without quorum, risking split brain. Default majority for unicast and both, none for multicast (VRRP has no membership)',
      ).optional(),
      lease_stall_tolerance: duration(
        'quorum majority, unicast: how long this node\'s process may freeze and still release the VIP before another node takes it (docs/leases.md); a silent failure is taken over about this much later. 0s-10s, default from the timing preset (lan 250ms, wan 2s)',
        { minMs: 0, maxMs: 10_000 },
      ).optional(),
      crash_verdict: z
        .boolean({ error: fieldError('true or false', 'whether the top backup takes over at once from a master whose process is provably gone') })
        .default(true)
        .describe('unicast groups, default true: when a master\'s stream ends and its address refuses a redial (its process is gone, docs/leases.md "Crash verdict"), the top-ranked backup takes over at once instead of after Master_Down_Interval'),
      handoff: z.boolean().optional().meta({ default: true })
        .describe('unicast: a master that stops (SIGTERM), enters maintenance or is preempted hands the group to a named successor, which takes over at once (docs/leases.md "Handoff"); default true'),
      handoff_overlap_max: duration(
        'unicast, with handoff: the longest two nodes may hold the VIP during a handoff (make-before-break; cloud providers release first). Must exceed the release margin R (50ms) by 5ms; 60ms-10s, default 200ms',
        { minMs: 60, maxMs: 10_000 },
      ).optional().meta({ default: '200ms' }),
      startup_hold: duration(
        'unicast with peers: at start, wait until every peer was heard (or a master advertises) before claiming the VIP, but at most this long; 0s turns it off. 0s-1h, default max(2 × Master_Down_Interval, 3s)',
        { minMs: 0, maxMs: 3_600_000 },
      ).optional(),
      track: tracksSchema,
      notify: notifySchema,
      reassert_interval: duration(
        'while master, re-read what the providers hold this often and re-acquire when something moved the VIP (a cloud console, another tool); also the freshness of the fence record. 100ms-1h, default 10s',
        { minMs: 100, maxMs: 3_600_000 },
      )
        .optional()
        .meta({ default: '10s' }),
    },
    'a virtual router: its VRID, interface and VIPs',
  );
}

export const nodeSchema = section(
  {
    id: name("this node's id, unique in the cluster"),
    address: nodeAddress.optional(),
    role: oneOf(NODE_ROLES, 'default member: runs groups and votes; witness: votes in quorums, holds no VIPs and has no groups').default('member'),
    listen: hostPort(
      `host:port the gRPC peer service listens on, default ${DEFAULT_LISTEN}; host is IPv4, [IPv6] or a name; port 0 lets the system pick one`,
      'listen',
    ).default(DEFAULT_LISTEN),
    advertise: hostPort('host:port other nodes dial to reach this one, default the listen address; required when listen is 0.0.0.0 or [::]', 'dial').optional(),
  },
  'this node: its id, role, primary address and peer-service addresses',
);

export const seedSchema = hostPort('host:port of a cluster node to join through', 'dial');
export const seedsSchema = z
  .array(seedSchema, {
    error: listError(`a list of ${HOST_PORT_RULE}`, 'host:port of cluster nodes to join through'),
  })
  .default([])
  .describe("host:port of cluster nodes to join through, default []; no duplicates, not this node's own listen or advertise address");

export const insecureSchema = z
  .boolean({ error: fieldError('true or false', 'true disables TLS and advert signing') })
  .default(false)
  .describe('default false; true disables TLS and advert signing: for demos only');

export const tlsSchema = section(
  {
    ca: filePath('PEM file of the cluster CA that signs every node certificate'),
    cert: filePath("PEM file of this node's certificate, whose identity is node.id"),
    key: filePath("PEM file of this node's private key"),
    allow: z
      .array(name('a node id'), { error: listError('a list of node ids', 'node ids allowed to connect') })
      .optional()
      .describe("node ids allowed to connect, by certificate identity; default every group's peers and witnesses"),
  },
  'mutual TLS between nodes: CA, certificate, key, and who may connect; required unless insecure: true',
);

const SECRET_HINT = 'the secret, base64 or hex, at least 16 bytes decoded';
/** 32 random bytes are 44 base64 characters; a secret this long was pasted by mistake. */
const SECRET_MAX_CHARS = 1024;
export const authKeySchema = section(
  {
    id: name('key id, sent with each signature'),
    secret_file: filePath(`file holding ${SECRET_HINT} (whitespace ignored); exactly one of secret_file and secret`).optional(),
    secret: z
      .string({ error: secretError(SECRET_HINT) })
      .superRefine((text, ctx) => {
        // Only the length: the value is a secret and never appears in a message.
        const long = lengthIssue(text, SECRET_MAX_CHARS, 'characters', SECRET_HINT);
        if (long !== undefined) ctx.addIssue({ code: 'custom', message: long, input: '' });
      })
      .meta({ maxLength: SECRET_MAX_CHARS })
      .optional()
      .describe(`${SECRET_HINT}; exactly one of secret_file and secret (prefer secret_file: keep secrets out of config files)`),
  },
  'an advert-signing key: an id and exactly one of secret_file or secret',
);

export const authSchema = section(
  {
    mode: oneOf(
      SIGNING_MODES,
      'default enforce: sign, accept only valid signatures; permissive: sign, accept all; receive-only: send unsigned, accept all (for rollout)',
    ).default('enforce'),
    active_key: name('the key adverts are signed with, one of keys; not needed in receive-only mode').optional(),
    keys: z
      .array(authKeySchema, { error: listError('a list of 1-8 keys', 'the advert-signing keys, ids unique') })
      .min(1)
      .max(8)
      .describe('1-8 advert-signing keys with unique ids; several let a new key roll out before it becomes active'),
  },
  'advert signing with HMAC-SHA256: mode and keys; required unless insecure: true',
);

export const timingSchema = oneOf(TIMING_NAMES, 'timing preset, default lan: lan (100ms adverts) or wan (1s adverts)').default('lan');

export const membershipSchema = section(
  {
    probe_interval: duration('time between failure-detector probes, overrides the preset; 10ms-1m', { minMs: 10, maxMs: 60_000 }).optional(),
    probe_timeout: duration('how long to wait for a probe ack, overrides the preset; 1ms-1m, less than probe_interval', { minMs: 1, maxMs: 60_000 }).optional(),
    indirect_probes: integer(0, 16, 'members asked to probe indirectly, overrides the preset').optional(),
    suspicion_multiplier: integer(1, 32, 'suspicion timeout in probe intervals, overrides the preset').optional(),
    crash_verdict_window: duration(
      'after a peer\'s stream ends, keep redialing it this long and give the crash verdict only if every redial was refused (a process restarted within it answers: no verdict); 0s-60s, default 0s (the first refusal)',
      { minMs: 0, maxMs: 60_000 },
    ).optional(),
  },
  'failure-detector timing that overrides the timing preset',
);

/** RFC 5881 single hop (UDP 3784, TTL 255) or RFC 5883 multihop (UDP 4784). */
export const BFD_MODES = ['single-hop', 'multihop'] as const;

export const bfdSchema = section(
  {
    enabled: z
      .boolean({ error: fieldError('true or false', 'whether to run BFD sessions') })
      .default(false)
      .describe('run BFD sessions to the members and witnesses of this node\'s unicast groups, default false (docs/bfd.md)'),
    interval: duration('BFD Desired Min TX and Required Min RX Interval while Up, default 20ms; 1ms-10s (RFC 5880 §6.8.3: 1s while not Up)', { minMs: 1, maxMs: 10_000 })
      .optional()
      .meta({ default: '20ms' }),
    multiplier: integer(1, 255, 'BFD Detect Mult, default 3: packets a peer may miss before the session goes Down (RFC 5880 §6.8.4); raised under loss when adaptive').default(3),
    adaptive: z
      .boolean({ error: fieldError('true or false', 'whether loss raises the multiplier waited for') })
      .default(true)
      .describe('raise the multiplier this node waits for while it sees loss, bounded at 3 × multiplier, decaying when the path is clean; default true (docs/bfd.md)'),
    mode: oneOf(BFD_MODES, 'default single-hop: RFC 5881, UDP 3784, TTL 255 sent and checked (needs root or CAP_NET_RAW); multihop: RFC 5883, UDP 4784, for routed paths').default('single-hop'),
    port: integer(1, 65535, 'UDP port BFD listens on and sends to, default 3784 (single-hop) or 4784 (multihop)').optional(),
  },
  'BFD liveness (RFC 5880) between the members and witnesses of unicast groups: docs/bfd.md',
);

const logSchema = section(
  {
    level: oneOf(LOG_LEVELS, 'log level, default info').default('info'),
    format: oneOf(LOG_FORMATS, 'log format, default auto: pretty on a terminal, else json').default('auto'),
  },
  'logging: level and format',
).prefault({});

function configSchema(group: ReturnType<typeof groupSchema>) {
  return section(
    {
      cluster_id: name('cluster id, the same on every node and carried in every message'),
      node: nodeSchema,
      seeds: seedsSchema,
      insecure: insecureSchema,
      tls: tlsSchema.optional(),
      auth: authSchema.optional(),
      timing: timingSchema,
      log: logSchema,
      membership: membershipSchema.optional(),
      bfd: bfdSchema.optional(),
      checks: checksSchema,
      api: apiSchema,
      groups: documentDefault(
        z
          .array(group, { error: listError('a list of groups', 'the virtual routers this node takes part in') })
          .default([])
          .describe('the virtual routers this node takes part in: at least one for a member, none for a witness; names and VRIDs unique'),
        [],
      ),
      sync_groups: syncGroupsSchema,
    },
    'a vipd configuration: cluster_id, node, tls, auth and groups',
  ).meta({ title: 'vipd configuration' });
}

export interface Schemas {
  readonly provider: z.ZodType<ProviderConfig>;
  readonly group: ReturnType<typeof groupSchema>;
  readonly config: ReturnType<typeof configSchema>;
}

const built = new WeakMap<ProviderCatalogue, Schemas>();

/** The schemas for a catalogue of providers, built once per catalogue (a registry is a constant). */
export function schemasFor(catalogue: ProviderCatalogue): Schemas {
  let schemas = built.get(catalogue);
  if (schemas === undefined) {
    const provider = providerSchema(catalogue);
    const group = groupSchema(provider);
    schemas = { provider, group, config: configSchema(group) };
    built.set(catalogue, schemas);
  }
  return schemas;
}

export type RawGroup = z.output<Schemas['group']>;
export type RawMembership = z.output<typeof membershipSchema>;
export type RawBfd = z.output<typeof bfdSchema>;
export type RawAuthKey = z.output<typeof authKeySchema>;
