/**
 * Watches an interface's operational state (Linux sysfs operstate, read in the caller's network
 * namespace) and reports changes, so a group on that interface goes to Fault when its link
 * is down (keepalived's track_interface) instead of holding a VIP nobody can reach.
 * Polling every 200 ms keeps it dependency-free; a link event is seen within that time.
 */
import { readFile } from 'node:fs/promises';
import type { LinkMonitor } from '../ports/link-monitor.js';

/** "up" for operstate up or unknown (some virtual links never say up); down otherwise. */
export async function linkUp(iface: string): Promise<boolean | undefined> {
  try {
    const state = (await readFile(`/sys/class/net/${iface}/operstate`, 'utf8')).trim();
    return state === 'up' || state === 'unknown';
  } catch {
    return undefined; // the interface is gone: say nothing rather than guess
  }
}

export function watchLink(iface: string, onChange: (up: boolean) => void, periodMs = 200): () => void {
  let last: boolean | undefined;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    const up = await linkUp(iface);
    busy = false;
    if (up !== undefined && up !== last) {
      last = up;
      onChange(up);
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), periodMs);
  return () => clearInterval(timer);
}

/** The LinkMonitor of a real node: sysfs operstate, polled. */
export const sysfsLinkMonitor: LinkMonitor = { watch: (iface, onChange) => watchLink(iface, onChange) };
