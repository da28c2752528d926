/** The health checks of a configuration as the runtime runs them (docs/health-checks.md). */
import { ExecProbe } from '../adapters/health/exec-probe.js';
import { FileProbe } from '../adapters/health/file-probe.js';
import { HttpProbe } from '../adapters/health/http-probe.js';
import { InterfaceProbe } from '../adapters/health/interface-probe.js';
import { ProcessProbe } from '../adapters/health/process-probe.js';
import { TcpProbe } from '../adapters/health/tcp-probe.js';
import type { CheckConfig, CheckProbeConfig, GroupConfig } from '../config/types.js';
import type { Track } from '../core/health/weights.js';
import type { HealthProbe } from '../ports/health-probe.js';
import type { HealthCheckSpec } from '../runtime/health-checks.js';

export function healthSpecs(checks: readonly CheckConfig[]): HealthCheckSpec[] {
  return checks.map((c) => ({
    params: { name: c.name, rise: c.rise, fall: c.fall, initFail: c.initFail },
    intervalMs: c.intervalMs,
    timeoutMs: c.timeoutMs,
    probe: probeFor(c.probe),
  }));
}

export function groupTracks(g: GroupConfig): Track[] {
  return g.tracks.map((t) => ({ check: t.check, weight: t.weight, ...(t.file ? { file: true } : {}) }));
}

function probeFor(p: CheckProbeConfig): HealthProbe {
  switch (p.type) {
    case 'exec':
      return new ExecProbe(p.command);
    case 'http':
    case 'https':
      return new HttpProbe({
        url: p.url, tlsVerify: p.tlsVerify,
        ...(p.expectStatus ? { expectStatus: p.expectStatus } : {}), ...(p.bodyMatch !== undefined ? { bodyMatch: new RegExp(p.bodyMatch) } : {}),
      });
    case 'tcp':
      return new TcpProbe(p.host, p.port);
    case 'interface':
      return new InterfaceProbe(p.interface);
    case 'file':
      return new FileProbe(p.path);
    case 'process':
      return new ProcessProbe(p.process, p.args);
  }
}
