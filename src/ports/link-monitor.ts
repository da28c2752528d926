/**
 * Reports an interface's link state, so a group on that interface goes to Fault while its link
 * is down (keepalived's track_interface) instead of holding a VIP nobody can reach.
 * Implementations: sysfs polling (src/adapters/link-watcher.ts); the simulator raises link
 * down/up itself (test/fakes/memory-link-monitor.ts).
 */
export interface LinkMonitor {
  /**
   * Calls `onChange(up)` with the first state it learns and on every change after; never for
   * an interface it cannot see (gone or not yet there: it says nothing rather than guess).
   * Never blocks: the first report may come later, from a timer. `onChange` must not throw.
   * Returns a stop function; calling it again is harmless. Watching the same interface twice
   * gives two independent watches.
   */
  watch(iface: string, onChange: (up: boolean) => void): () => void;
}
