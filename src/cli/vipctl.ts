#!/usr/bin/env node
/**
 * `vipctl`: asks the local vipd agent over its Unix socket (docs/api.md): status, watch, members,
 * events, maintenance, promote, reload. `--url` talks to an HTTP listener instead (with
 * `--token-file` when it needs one). Exit codes: 0 done, 1 the agent refused or failed, 2 the
 * agent cannot be reached or the command line is wrong.
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { WebSocket } from 'ws';
import { ApiUnreachable, call, callJson, type ApiTarget } from '../api/client.js';
import type { EventView, GroupView, MemberView, ReloadResult, StatusView } from '../api/control.js';
import { DEFAULT_API_SOCKET } from '../config/api-schema.js';
import { parseDuration } from '../config/duration.js';
import { eventLine, groupsTable, membersTable, statusText } from './vipctl-format.js';
import { packageVersion } from './version.js';

interface Global { socket: string; url?: string; tokenFile?: string }

const program = new Command()
  .name('vipctl')
  .description('control the local vipd agent (docs/api.md)')
  .version(packageVersion(), '-V, --version')
  .option('-s, --socket <path>', 'the agent\'s Unix socket (api.socket)', process.env.VIPD_SOCKET ?? DEFAULT_API_SOCKET)
  .option('--url <url>', 'talk to an HTTP listener instead, e.g. http://127.0.0.1:9641')
  .option('--token-file <file>', 'bearer token for --url (api.http.token_file)')
  .showHelpAfterError();

function target(): ApiTarget {
  const o = program.opts<Global>();
  const token = o.tokenFile ? readFileSync(o.tokenFile, 'utf8').trim() : undefined;
  return o.url ? { url: o.url, ...(token ? { token } : {}) } : { socket: o.socket };
}

const print = (s: string) => process.stdout.write(`${s}\n`);

program.command('status').description('the node, its groups, members and checks').option('--json', 'the API\'s JSON')
  .action(async (o: { json?: boolean }) => {
    const s = await callJson<StatusView>(target(), 'GET', '/v1/status');
    print(o.json ? JSON.stringify(s, null, 2) : statusText(s));
  });

program.command('members').description('the cluster\'s members as this node sees them').option('--json', 'the API\'s JSON')
  .action(async (o: { json?: boolean }) => {
    const m = await callJson<MemberView[]>(target(), 'GET', '/v1/members');
    print(o.json ? JSON.stringify(m, null, 2) : m.length > 0 ? membersTable(m) : '(no members: this node speaks only VRRP)');
  });

program.command('events').description('recent events (role changes, provider calls, checks, members, operator actions)')
  .option('--since <seq>', 'only events after this number', '0').option('--json', 'one JSON object per line')
  .action(async (o: { since: string; json?: boolean }) => {
    const r = await callJson<{ events: EventView[] }>(target(), 'GET', `/v1/events?since=${encodeURIComponent(o.since)}&limit=9999`);
    for (const e of r.events) print(o.json ? JSON.stringify(e) : eventLine(e));
  });

program.command('watch').description('live: the groups table and every event as it happens (Ctrl-C ends)').option('--json', 'the stream\'s messages as they come')
  .action(async (o: { json?: boolean }) => {
    const t = target();
    const where = t.url ? `${t.url.replace(/^http/, 'ws')}/v1/stream` : `ws+unix://${t.socket}:/v1/stream`;
    const ws = new WebSocket(where, t.token ? { headers: { authorization: `Bearer ${t.token}` } } : {});
    let last = '';
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { kind: 'status'; status: StatusView } | { kind: 'event'; event: EventView };
      if (o.json) return print(JSON.stringify(msg));
      if (msg.kind === 'event') return print(eventLine(msg.event));
      const text = groupsTable(msg.status.groups);
      if (text !== last) print(`--- ${new Date().toISOString()}\n${text}`);
      last = text;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('error', (err: NodeJS.ErrnoException) => reject(new ApiUnreachable(`cannot stream from ${t.url ?? t.socket}: ${err.code === 'ENOENT' ? 'no agent there (is vipd running?)' : err.message}`)));
      ws.once('close', () => resolve());
      process.once('SIGINT', () => ws.close());
    });
  });

program.command('maintenance').description('on: drain GROUP (hand the VIP to the best backup) and hold it out; off: back in the election')
  .argument('<on|off>', 'on or off').argument('<group>', 'the group')
  .action(async (state: string, group: string) => {
    if (state !== 'on' && state !== 'off') throw new InvalidArgumentError(`maintenance takes on or off, not ${JSON.stringify(state)}`);
    const g = await callJson<GroupView>(target(), 'POST', `/v1/groups/${encodeURIComponent(group)}/maintenance`, { on: state === 'on' });
    print(groupsTable([g]));
  });

program.command('promote').description('raise GROUP\'s priority for a while (a backup with preempt then takes over)')
  .argument('<group>', 'the group')
  .requiredOption('--for <duration>', 'how long, e.g. 10m; 0 ends a boost', (v: string) => {
    const d = parseDuration(v);
    if (!d.ok) throw new InvalidArgumentError(d.reason);
    return d.ms;
  })
  .option('--by <n>', 'added to the priority (1-254, default 254: to the top)', (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 254) throw new InvalidArgumentError('must be an integer 1-254');
    return n;
  })
  .action(async (group: string, o: { for: number; by?: number }) => {
    const g = await callJson<GroupView>(target(), 'POST', `/v1/groups/${encodeURIComponent(group)}/promote`, { for: o.for, ...(o.by !== undefined ? { by: o.by } : {}) });
    print(groupsTable([g]));
  });

program.command('reload').description('re-read the configuration file: print the plan and apply it (an invalid file changes nothing)')
  .action(async () => {
    // A refused reload answers 400 with its plan or errors: print them either way.
    const reply = await call(target(), 'POST', '/v1/reload');
    const r = JSON.parse(reply.body) as Partial<ReloadResult> & { error?: string };
    if (r.error) throw new Error(`reload: ${r.error}`);
    for (const l of r.lines ?? []) print(l);
    if (!r.ok) process.exitCode = 1;
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`vipctl: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = err instanceof ApiUnreachable || err instanceof InvalidArgumentError ? 2 : 1;
}
