/**
 * A LinkMonitor whose links the test or the simulator sets: `set("eth0", false)` is a link going
 * down. Reports come from a timer at the current time, as the sysfs monitor's come from its poll.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { LinkMonitor } from '../../src/ports/link-monitor.js';

export class MemoryLinkMonitor implements LinkMonitor {
  private readonly state = new Map<string, boolean>();
  private readonly watchers = new Set<{ iface: string; onChange: (up: boolean) => void }>();

  constructor(private readonly clock: Clock) {}

  watch(iface: string, onChange: (up: boolean) => void): () => void {
    const w = { iface, onChange };
    this.watchers.add(w);
    const known = this.state.get(iface);
    if (known !== undefined) this.clock.schedule(this.clock.now(), () => this.watchers.has(w) && onChange(known));
    return () => void this.watchers.delete(w);
  }

  /** Sets the link state of `iface`; watchers hear of changes only. */
  set(iface: string, up: boolean): void {
    if (this.state.get(iface) === up) return;
    this.state.set(iface, up);
    for (const w of [...this.watchers]) if (w.iface === iface) this.clock.schedule(this.clock.now(), () => this.watchers.has(w) && w.onChange(up));
  }
}
