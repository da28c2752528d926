/**
 * A group's `notify:` (issue 11 §3, docs/notify.md): keepalived's notify_master, notify_backup,
 * notify_fault, notify_stop and notify, as argv lists (no shell), and webhooks.
 */
import { z } from 'zod';
import { durationMs, integer, section } from './fields.js';
import { fieldError, listError } from './messages.js';

const MAX_ARGV = 64;
const argv = (hint: string) =>
  z.array(z.string().min(1).max(4096), { error: listError('a list of strings: the program and its arguments', hint) }).min(1).max(MAX_ARGV).optional().describe(hint);

export const webhookSchema = section({
  url: z.url({ error: fieldError('an http:// or https:// URL', 'where the event is POSTed') }).max(2048).refine((u) => /^https?:\/\//.test(u), { message: 'must be an http:// or https:// URL' }).describe('where each role change is POSTed as JSON'),
  timeout: durationMs('each attempt\'s limit, 100ms-1m, default 5s', { minMs: 100, maxMs: 60_000 }).optional(),
  attempts: integer(1, 20, 'attempts in all before giving up, default 5; the wait doubles from 500ms').default(5),
}, 'a webhook: url, timeout, attempts');

export const notifySchema = section({
  master: argv('run when the group becomes MASTER (keepalived notify_master), no arguments added'),
  backup: argv('run when it becomes BACKUP (notify_backup)'),
  fault: argv('run when it enters FAULT (notify_fault)'),
  stop: argv('run when it stops (notify_stop)'),
  script: argv('run on every change with keepalived\'s arguments appended: INSTANCE NAME STATE PRIORITY (keepalived notify), so existing scripts work unchanged'),
  timeout: durationMs('a command still running after this is killed (its process group); 100ms-10m, default 30s', { minMs: 100, maxMs: 600_000 }).optional(),
  webhooks: z.array(webhookSchema).max(16).default([]).describe('HTTP POSTs of each role change as JSON, retried with backoff'),
}, 'commands and webhooks on role changes (docs/notify.md); the commands of a group run one at a time, in order').optional();

export type RawNotify = z.output<typeof notifySchema>;
