/**
 * `http` / `https` health check: a GET of `url` answers with an expected status (default any
 * 2xx) and, with `bodyMatch`, a body (its first 64 KiB) that matches the pattern. Redirects are
 * not followed (a 3xx is a status like any other). `tlsVerify: false` accepts any certificate
 * (a self-signed local service); the default verifies it. Every run opens a new connection
 * (no keep-alive): a reused connection could hide a listener that is gone.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

const BODY_MAX = 64 * 1024;

export interface HttpProbeOptions {
  readonly url: string;
  /** Statuses that pass; empty or absent: 200-299. */
  readonly expectStatus?: readonly number[];
  readonly bodyMatch?: RegExp;
  readonly tlsVerify?: boolean;
}

export class HttpProbe implements HealthProbe {
  constructor(private readonly o: HttpProbeOptions) {}

  run(signal: AbortSignal): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const url = new URL(this.o.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method: 'GET', signal, agent: false, headers: { 'user-agent': 'vipd-health-check' }, ...(url.protocol === 'https:' ? { rejectUnauthorized: this.o.tlsVerify !== false } : {}) }, (res) => {
        const status = res.statusCode ?? 0;
        const expected = this.o.expectStatus && this.o.expectStatus.length > 0 ? this.o.expectStatus.includes(status) : status >= 200 && status < 300;
        if (!expected || !this.o.bodyMatch) {
          res.resume();
          resolve({ ok: expected, detail: `HTTP ${status}` });
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < BODY_MAX) body += chunk.slice(0, BODY_MAX - body.length);
        });
        res.once('end', () => {
          const ok = this.o.bodyMatch?.test(body) ?? true;
          resolve({ ok, detail: ok ? `HTTP ${status}, body matches` : `HTTP ${status}, body does not match ${String(this.o.bodyMatch)}` });
        });
        res.once('error', (err) => resolve({ ok: false, detail: `HTTP ${status}: ${err.message}` }));
      });
      req.once('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, detail: `${url.host}: ${err.code ?? err.message}` }));
      req.end();
    });
  }
}
