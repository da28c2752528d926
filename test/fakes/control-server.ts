/**
 * What a cloud fake run as a process (test/fakes/<cloud>/serve.ts) shares: its control channel —
 * POST /control {"op": …} answering the op's result as JSON (null for none, 400 {error} when
 * refused), GET /state and GET /requests — and its way of stopping: SIGTERM, SIGINT, or the end
 * of a stdin pipe (a parent that spawned it and died leaves no orphan).
 */
import { fstatSync } from 'node:fs';
import type { Server } from 'node:http';
import { listenHttp } from './ec2/listen.js';

export type ControlOp = { op: string; [k: string]: unknown };

/** Typed reads of an op's fields, with errors naming the op and the field. */
export function controlFields(body: ControlOp): { s(k: string): string; optS(k: string): string | undefined } {
  const s = (k: string): string => {
    const v = body[k];
    if (typeof v !== 'string') throw new Error(`control ${body.op}: field '${k}' must be a string`);
    return v;
  };
  return { s, optS: (k) => (body[k] === undefined || body[k] === null ? undefined : s(k)) };
}

export interface ControlHandlers {
  state(): unknown;
  requests(): unknown;
  control(op: ControlOp): unknown;
}

export async function startControlServer(h: ControlHandlers, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  return listenHttp((req, res) => {
    const answer = (status: number, v: unknown): void => {
      const text = JSON.stringify(v);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method === 'GET' && req.url === '/state') return answer(200, h.state());
    if (req.method === 'GET' && req.url === '/requests') return answer(200, h.requests());
    if (req.method !== 'POST' || req.url !== '/control') return answer(404, { error: 'GET /state, GET /requests or POST /control' });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        answer(200, h.control(JSON.parse(Buffer.concat(chunks).toString('utf8')) as ControlOp) ?? null);
      } catch (e) {
        answer(400, { error: (e as Error).message });
      }
    });
  }, host);
}

/** Run `stop` once on SIGTERM, SIGINT or the end of a stdin pipe (a terminal or /dev/null changes nothing). */
export function stopOnSignalsAndStdin(stop: () => void): void {
  let stopping = false;
  const once = (): void => {
    if (stopping) return;
    stopping = true;
    stop();
  };
  process.once('SIGTERM', once);
  process.once('SIGINT', once);
  // Node's 'pipe' stdio is a socket pair; a FIFO is a shell pipe.
  const stdin = fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on('end', once);
    process.stdin.on('error', once);
    process.stdin.resume();
  }
}
