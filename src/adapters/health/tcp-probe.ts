/** `tcp` health check: a TCP connect to host:port succeeds (and is closed at once). */
import { connect } from 'node:net';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

export class TcpProbe implements HealthProbe {
  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  run(signal: AbortSignal): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const socket = connect({ host: this.host, port: this.port, signal });
      const where = `${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
      socket.once('connect', () => {
        socket.destroy();
        resolve({ ok: true, detail: `connected to ${where}` });
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.destroy();
        resolve({ ok: false, detail: `${where}: ${err.code ?? err.message}` });
      });
    });
  }
}
