/**
 * The `local` provider: puts the VIPs on a local interface and tells the link (gratuitous ARP,
 * unsolicited NA), like keepalived's MASTER does. It acts and never decides (metallb): it does
 * not contest a VIP another host answers for, it reports it.
 *
 * Ownership: every address this provider adds carries its mark (OWNERSHIP_METRIC, kept by the
 * kernel), and only marked addresses are ever removed: also those a crashed earlier run left
 * (issue 8 finding 1). An address without the mark (the interface's own, one an operator
 * configured) counts towards "held" but is left alone by release.
 *
 * Two ways to act (README.md): the native path (rtnetlink, AF_PACKET and ICMPv6 sockets through
 * native/local_link.c: nothing spawned from the decision to the first announcement, issue 10) and,
 * when the native part is not built or a CommandRunner is injected, the system tools (ip,
 * arping, ndptool, ndisc6), logged and counted as a fallback.
 *
 * Every call is idempotent and they run one at a time, takeovers first (lanes.ts: a takeover or
 * release never waits behind a refresh); each rejection is a ProviderError naming the operation
 * and the subject.
 */
import { setMaxListeners } from 'node:events';
import type { VipConfig } from '../../src/config/types.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { ProviderError, type ProviderRequest, type VipProvider, type StatusReport } from '../../src/ports/vip-provider.js';
import { formatIp, parseIp } from '../../src/wire/address.js';
import { CommandAbortedError, CommandTimeoutError, inNetns, systemRunner, type CommandResult, type CommandRunner } from './commands.js';
import { Lanes, PreemptedError, type Lane } from './lanes.js';
import { ERRNO, LinkCallError, loadLinkAddon, NativeLink, type NativeLinkState } from './native-link.js';
import { canonicalAddress, ipMessages, parseAddrShow, parseArpingReplies, parseNdisc6Replies, type LinkState } from './parse.js';
import {
  DEFAULT_ANNOUNCE,
  OWNERSHIP_METRIC,
  TOOLS,
  type AnnounceSchedule,
  type CleanupReport,
  type LocalProviderComponents,
  type LocalProviderCounters,
  type LocalProviderOptions,
  type Tool,
  type VipConflict,
} from './types.js';

/** IFNAMSIZ − 1: the longest interface name (and IPv4 label) the kernel accepts. */
const MAX_IFNAME = 15;
const DEFAULT_COMMAND_TIMEOUT_MS = 5_000;
const MAX_BURST = 50;
/** Operations whose commands take the spawn gate's background lane (providers/local/commands.ts). */
const BACKGROUND_OPERATIONS: ReadonlySet<string> = new Set(['announcing', 'probing', 'refreshing']);
/**
 * Listeners a held term's signal may carry before Node warns of a leak: its queued rounds (two
 * bursts, a refresh, a conflict probe), each one per VIP, wait in the spawn queue together.
 */
const BACKGROUND_LISTENERS = 256;

/** While held: the decision's term and the background announcements it keeps running. */
interface Held {
  readonly term: number;
  readonly controller: AbortController;
  readonly timers: Set<() => void>;
  refreshing: boolean;
  /** Native path: where and as whom to announce (read at acquire, again at each refresh). */
  link: NativeLinkState | undefined;
}

/** How long a native conflict probe listens for answers (iputils arping -D -w 1 waited as long). */
const PROBE_WAIT_MS = 1_000;

export class LocalProvider implements VipProvider {
  readonly kind = 'local';
  readonly interface: string;
  readonly vips: readonly VipConfig[];
  readonly counters: LocalProviderCounters = { announcements: 0, announceFailures: 0, conflicts: 0, readded: 0, backgroundErrors: 0, toolFallbacks: 0 };
  /** `native`: rtnetlink and sockets, nothing spawned; `tools`: ip/arping/ndptool/ndisc6 (README.md). */
  readonly path: 'native' | 'tools';
  private readonly label: string | undefined;
  private readonly schedule: AnnounceSchedule;
  private readonly announcing: boolean;
  private readonly detectConflicts: boolean;
  private readonly onConflict: ((c: VipConflict) => void) | undefined;
  private readonly timeoutMs: number;
  private readonly runner: CommandRunner;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly toolPaths = new Map<Tool, Promise<string | undefined>>();
  private readonly native: NativeLink | undefined;
  private held: Held | undefined;
  /** Calls run one at a time, takeovers first (lanes.ts). */
  private readonly lanes = new Lanes();

  constructor(options: LocalProviderOptions, components: LocalProviderComponents) {
    const configError = (detail: string) => new ProviderError('configuring', `the local provider on ${options.interface}`, false, { detail });
    const iface = options.interface;
    if (!iface || iface.length > MAX_IFNAME || /[\s/:]/.test(iface)) throw configError(`interface name ${JSON.stringify(iface)} must be 1-${MAX_IFNAME} characters without spaces, "/" or ":"`);
    if (options.vips.length === 0) throw configError('no VIPs');
    const vips: VipConfig[] = [];
    for (const v of options.vips) {
      const address = canonicalAddress(v.address);
      const family = address?.includes(':') ? 6 : 4;
      if (!address || family !== v.family) throw configError(`${JSON.stringify(v.address)} is not an IPv${v.family} address`);
      const max = family === 4 ? 32 : 128;
      if (!Number.isInteger(v.prefixLength) || v.prefixLength < 1 || v.prefixLength > max) throw configError(`prefix /${v.prefixLength} of ${address} must be 1-${max}`);
      if (vips.some((x) => x.address === address)) throw configError(`${address} is listed twice`);
      vips.push({ address, prefixLength: v.prefixLength, family });
    }
    const defaultLabel = `${iface}:vip`;
    const label = options.label === false ? undefined : (options.label ?? (defaultLabel.length <= MAX_IFNAME ? defaultLabel : undefined));
    if (label !== undefined && (label.length > MAX_IFNAME || !label.startsWith(`${iface}:`))) {
      throw configError(`label ${JSON.stringify(label)} must start with "${iface}:" and be at most ${MAX_IFNAME} characters`);
    }
    const schedule = { ...DEFAULT_ANNOUNCE, ...(options.announce || {}) };
    for (const [key, value] of Object.entries(schedule)) {
      if (!Number.isFinite(value) || value < 0) throw configError(`announce.${key} must be a non-negative number`);
    }
    if (schedule.burstCount < 1 || schedule.burstCount > MAX_BURST) throw configError(`announce.burstCount must be 1-${MAX_BURST}`);
    if (schedule.refreshIntervalMs > 0 && schedule.refreshIntervalMs < 1_000) throw configError('announce.refreshIntervalMs must be 0 (off) or at least 1000');

    this.interface = iface;
    this.vips = vips;
    this.label = label;
    this.schedule = schedule;
    this.announcing = options.announce !== false;
    this.detectConflicts = this.announcing && (options.detectConflicts ?? true);
    this.onConflict = options.onConflict;
    this.timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const runner = components.runner ?? systemRunner;
    this.runner = options.netns ? inNetns(runner, options.netns) : runner;
    this.logger = components.logger.child({ provider: 'local', interface: iface, ...(options.netns ? { netns: options.netns } : {}) });
    this.clock = components.clock;
    // An injected runner is the system (tests' fakes, `setpriv` wrappers): it gets the tools path.
    const wantNative = options.native ?? components.runner === undefined;
    const loaded = wantNative ? loadLinkAddon() : undefined;
    if (loaded && 'addon' in loaded) {
      this.native = new NativeLink(loaded.addon, iface, options.netns);
      this.path = 'native';
    } else {
      this.native = undefined;
      this.path = 'tools';
      if (loaded) {
        // The fallback is slower on takeover (a program per step, 2 ms of event loop each) but correct.
        this.counters.toolFallbacks += 1;
        this.logger.warn({ reason: loaded.error }, `the native link part is unavailable (${loaded.error}); running ip/arping/ndptool instead, which spawns programs on takeover (providers/local/README.md)`);
      }
    }
  }

  async validate(signal: AbortSignal): Promise<void> {
    const subject = `the local provider on ${this.interface}`;
    if (this.native) return this.validateNative(signal, subject);
    const hasV4 = this.vips.some((v) => v.family === 4);
    const hasV6 = this.vips.some((v) => v.family === 6);
    const needed: Tool[] = ['ip'];
    if (hasV4 && this.announcing) needed.push('arping');
    if (hasV6 && this.announcing) needed.push('ndptool');
    if (hasV6 && this.detectConflicts) needed.push('ndisc6');
    const missing: string[] = [];
    for (const tool of needed) {
      if (!(await this.locate(tool))) missing.push(`\`${tool}\` (Debian package ${TOOLS[tool].package}, for ${TOOLS[tool].purpose})`);
    }
    if (missing.length > 0) throw new ProviderError('validating', subject, false, { detail: `not installed: ${missing.join('; ')}` });

    if (hasV4 && this.announcing) {
      // Debian's `arping` package is a different program (Thomas Habets') with other options.
      const version = await this.command('arping', ['-V'], signal, 'validating', subject);
      if (!/iputils/i.test(version.stdout + version.stderr)) {
        throw new ProviderError('validating', subject, false, { detail: `${await this.locate('arping')} is not iputils arping; install the Debian package iputils-arping (the package "arping" has other options)` });
      }
    }

    const link = await this.readLink(signal, 'validating', subject);
    if (!link) throw new ProviderError('validating', subject, true, { detail: `interface ${this.interface} does not exist` });

    // A privileged request that cannot change anything: no interface carries 0.0.0.0/32, so with
    // CAP_NET_ADMIN the kernel answers "address not found", without it "Operation not permitted"
    // (rtnetlink checks the capability before it looks for the address).
    const args = ['-4', 'addr', 'del', '0.0.0.0/32', 'dev', this.interface];
    const probe = await this.command('ip', args, signal, 'validating', subject);
    if (probe.code !== 0 && ipMessages.notPermitted(probe.stderr)) throw this.failure('validating', subject, probe, ['ip', ...args]);
  }

  /**
   * Native path: the interface exists; CAP_NET_ADMIN with the request that cannot change anything
   * (RTM_DELADDR of 0.0.0.0/32: EADDRNOTAVAIL with the capability, EPERM without); CAP_NET_RAW by
   * opening the sockets announcements use.
   */
  private async validateNative(signal: AbortSignal, subject: string): Promise<void> {
    const link = await this.readLink(signal, 'validating', subject);
    if (!link || !('ifindex' in link)) throw new ProviderError('validating', subject, true, { detail: `interface ${this.interface} does not exist` });
    const native = this.native as NativeLink;
    this.nativeCall('validating', subject, () => native.remove((link as NativeLinkState).ifindex, { address: '0.0.0.0', prefixLength: 32, family: 4 }));
    if (this.announcing) this.nativeCall('validating', subject, () => native.openSockets(this.vips.some((v) => v.family === 6)));
  }

  async status(signal: AbortSignal): Promise<StatusReport> {
    let link: LinkState | undefined;
    try {
      link = await this.readLink(signal, 'reading', `the addresses of ${this.interface}`);
    } catch (err) {
      if (signal.aborted) throw err;
      this.logger.debug({ err }, `status unknown: ${(err as Error).message}`);
      return { status: 'unknown', detail: (err as Error).message };
    }
    if (!link) return { status: 'not-held', detail: `interface ${this.interface} does not exist` };
    const missing = this.vips.filter((v) => !link.addresses.has(v.address)).map(vipText);
    if (missing.length === 0) return { status: 'held', detail: `${this.vipsText()} on ${this.interface}`, holder: this.interface };
    return { status: 'not-held', detail: `${missing.join(', ')} not on ${this.interface}` };
  }

  async acquire(req: ProviderRequest): Promise<void> {
    const subject = `${this.vipsText()} on ${this.interface}`;
    await this.exclusive('takeover', req.signal, 'acquiring', subject, async () => {
      const link = await this.readLink(req.signal, 'acquiring', subject);
      if (!link) throw new ProviderError('acquiring', subject, true, { detail: `interface ${this.interface} does not exist` });
      const bound: string[] = [];
      for (const vip of this.vips) {
        if (link.addresses.has(vip.address)) continue;
        await this.addVip(vip, req.signal, link);
        bound.push(vipText(vip));
      }
      if (bound.length > 0) this.logger.info({ vips: bound, term: req.term }, `added ${bound.join(', ')} to ${this.interface} (${req.reason})`);
      // Same decision and nothing was missing: the announcements of that decision still run.
      if (this.held?.term === req.term && bound.length === 0) return;
      this.stopHeld();
      // The first round goes out now: on the native path before acquire returns (one send per
      // VIP, no program); with the tools in the background, since iputils arping stays up a
      // second after sending and takeover must not wait for that. Failures are logged and counted.
      this.startHeld(req.term, 'ifindex' in link ? link as NativeLinkState : undefined);
    });
  }

  /**
   * Removes every VIP of this provider that carries the mark, whoever's run added it: the
   * runtime calls this at start (leftovers of a crashed run) and on every entry to a role other
   * than Master. Unmarked copies stay (never removed: not ours) and are warned about.
   */
  async release(req: ProviderRequest): Promise<void> {
    this.stopHeld(); // at once: no more announcements even while an earlier call finishes
    const report = await this.removeMarked(req.signal, 'releasing');
    if (report.removed.length > 0) this.logger.info({ vips: report.removed, term: req.term }, `removed ${report.removed.join(', ')} from ${this.interface} (${req.reason})`);
    if (report.notOurs.length > 0) {
      this.logger.warn({ vips: report.notOurs, term: req.term }, `${report.notOurs.join(', ')} on ${this.interface} was not added by vipd (no metric ${OWNERSHIP_METRIC}); left in place although this node does not hold the VIP (${req.reason})`);
    }
  }

  /**
   * `vipd cleanup`: what release does, reporting what it found. For a stopped agent's leftovers
   * (a systemd unit runs it after a crash); idempotent.
   */
  cleanup(signal: AbortSignal): Promise<CleanupReport> {
    this.stopHeld();
    return this.removeMarked(signal, 'cleaning up');
  }

  /**
   * Asks the link whether another host answers for any VIP (ARP duplicate address detection,
   * RFC 5227, for IPv4; a Neighbor Solicitation for IPv6) and reports what it finds. Works
   * whether or not this node holds the VIPs: our own kernel never answers our own probe.
   */
  probeConflicts(signal: AbortSignal): Promise<VipConflict[]> {
    return this.checkConflicts(signal, 'probe');
  }

  // ---- addresses ----

  /** Through the queue: removes this provider's VIPs that carry the mark, and says what it found. */
  private removeMarked(signal: AbortSignal, operation: string): Promise<CleanupReport> {
    const subject = `${this.vipsText()} from ${this.interface}`;
    return this.exclusive('takeover', signal, operation, subject, async () => {
      this.stopHeld();
      const link = await this.readLink(signal, operation, subject);
      const removed: string[] = [];
      const notOurs: string[] = [];
      for (const vip of link ? this.vips : []) {
        if (!link?.addresses.has(vip.address)) continue;
        if (link.metrics.get(vip.address) !== OWNERSHIP_METRIC) notOurs.push(vipText(vip));
        else if (await this.removeVip(vip, signal, link)) removed.push(vipText(vip));
      }
      return { interface: this.interface, removed, notOurs, interfaceMissing: !link };
    });
  }

  /**
   * Adds one VIP with the mark. The mark travels with the address in the kernel, so an add that
   * was aborted or timed out after the kernel applied it is still found (and removed) by the next
   * release, in this process or the next.
   */
  private async addVip(vip: VipConfig, signal: AbortSignal, link: LinkState): Promise<void> {
    if (this.native && 'ifindex' in link) {
      const native = this.native;
      const ifindex = (link as NativeLinkState).ifindex;
      // false: someone added it between our read and our add (present; unmarked, not ours).
      this.nativeCall('adding', `${vipText(vip)} to ${this.interface}`, () => native.add(ifindex, vip, this.label, OWNERSHIP_METRIC));
      return;
    }
    const mark = ['metric', String(OWNERSHIP_METRIC)];
    const args = vip.family === 4
      ? ['-4', 'addr', 'add', vipText(vip), 'dev', this.interface, ...(this.label ? ['label', this.label] : []), ...mark]
      // nodad: DAD would keep the address tentative (unusable) for a second, and mark it failed
      // while a crashed old master still holds it. Takeover must not wait for that; conflicts are
      // reported by probeConflicts instead.
      : ['-6', 'addr', 'add', vipText(vip), 'dev', this.interface, 'nodad', ...mark];
    const subject = `${vipText(vip)} to ${this.interface}`;
    const result = await this.command('ip', args, signal, 'adding', subject);
    if (result.code === 0) return;
    // Someone added it between our read and our add: present (and, unmarked, not ours).
    if (ipMessages.alreadyAssigned(result.stderr)) return;
    throw this.failure('adding', subject, result, ['ip', ...args]);
  }

  /** Removes one VIP this provider added; false when it was already gone. */
  private async removeVip(vip: VipConfig, signal: AbortSignal, link: LinkState): Promise<boolean> {
    if (this.native && 'ifindex' in link) {
      const native = this.native;
      const ifindex = (link as NativeLinkState).ifindex;
      const removed = this.nativeCall('removing', `${vipText(vip)} from ${this.interface}`, () => native.remove(ifindex, vip));
      if (vip.family === 6) {
        try {
          native.removePrefixRoute(ifindex, prefixBytes(vip), vip.prefixLength, OWNERSHIP_METRIC);
        } catch (err) {
          this.logger.warn({ vip: vipText(vip), err }, `removing the prefix route of ${vipText(vip)}: ${(err as Error).message}; the route stays (harmless: same interface)`);
        }
      }
      return removed;
    }
    const args = [vip.family === 4 ? '-4' : '-6', 'addr', 'del', vipText(vip), 'dev', this.interface];
    const subject = `${vipText(vip)} from ${this.interface}`;
    const result = await this.command('ip', args, signal, 'removing', subject);
    if (vip.family === 6 && (result.code === 0 || ipMessages.addressNotFound(result.stderr))) await this.removePrefixRoute(vip, signal);
    if (result.code === 0) return true;
    if (ipMessages.addressNotFound(result.stderr) || ipMessages.noSuchDevice(result.stderr)) return false;
    throw this.failure('removing', subject, result, ['ip', ...args]);
  }

  /**
   * The kernel gives an IPv6 address a prefix route with the address's metric, but deleting the
   * address leaves that route when another address of the same prefix remains (the interface's
   * own, typically). Only a route with our metric is deleted; "not there" is the usual answer.
   * A failure here is logged, never a failed release: the address is gone, which is what counts.
   */
  private async removePrefixRoute(vip: VipConfig, signal: AbortSignal): Promise<void> {
    const args = ['-6', 'route', 'del', prefixText(vip), 'dev', this.interface, 'metric', String(OWNERSHIP_METRIC), 'proto', 'kernel'];
    const result = await this.command('ip', args, signal, 'removing', `the prefix route of ${vipText(vip)} from ${this.interface}`);
    if (result.code !== 0 && !ipMessages.noSuchRoute(result.stderr)) {
      this.logger.warn({ vip: vipText(vip), stderr: result.stderr.trim() }, `\`ip ${args.join(' ')}\` exited with ${result.code}; the route stays (harmless: same interface)`);
    }
  }

  /** The interface's MAC and addresses; undefined when the interface does not exist. */
  private async readLink(signal: AbortSignal, operation: string, subject: string): Promise<LinkState | undefined> {
    if (this.native) {
      if (signal.aborted) throw aborted(operation, subject, signal);
      const native = this.native;
      return this.nativeCall(operation, subject, () => native.read());
    }
    const args = ['-j', 'addr', 'show', 'dev', this.interface];
    const result = await this.command('ip', args, signal, operation, subject);
    if (result.code !== 0) {
      if (ipMessages.noSuchDevice(result.stderr)) return undefined;
      throw this.failure(operation, subject, result, ['ip', ...args]);
    }
    const link = parseAddrShow(result.stdout);
    if (!link) throw new ProviderError(operation, subject, true, { detail: `unexpected output from \`ip ${args.join(' ')}\`: ${result.stdout.slice(0, 200)}` });
    return link;
  }

  // ---- announcements ----

  private startHeld(term: number, link: NativeLinkState | undefined): void {
    const held: Held = { term, controller: new AbortController(), timers: new Set(), refreshing: false, link };
    // Every announcement and probe of this term listens on this one signal, and with many groups
    // they wait in the spawn queue together: more than Node's default 10 is no leak here.
    setMaxListeners(BACKGROUND_LISTENERS, held.controller.signal);
    this.held = held;
    if (!this.announcing) return;
    const s = this.schedule;
    const t0 = this.clock.now();
    const at = (time: number, fn: () => void) => {
      const cancel = this.clock.schedule(time, () => {
        held.timers.delete(cancel);
        if (!held.controller.signal.aborted) fn();
      });
      held.timers.add(cancel);
    };
    void this.backgroundRound(held);
    for (let i = 1; i < s.burstCount; i++) at(t0 + i * s.burstIntervalMs, () => void this.backgroundRound(held));
    if (s.secondBurstDelayMs > 0) {
      for (let i = 0; i < s.burstCount; i++) at(t0 + s.secondBurstDelayMs + i * s.burstIntervalMs, () => void this.backgroundRound(held));
    }
    if (s.refreshIntervalMs > 0) {
      const tick = (time: number) => at(time, () => {
        tick(time + s.refreshIntervalMs);
        void this.refresh(held);
      });
      tick(t0 + s.secondBurstDelayMs + s.refreshIntervalMs);
    }
    if (this.detectConflicts) void this.backgroundConflictCheck(held, 'acquire');
  }

  private stopHeld(): void {
    const held = this.held;
    this.held = undefined;
    if (!held) return;
    held.controller.abort(new Error('released'));
    for (const cancel of held.timers) cancel();
    held.timers.clear();
  }

  /** One announcement per VIP, in parallel; rejects with the first failure after all have finished. */
  private async announceRound(signal: AbortSignal, operation: string): Promise<void> {
    const results = await Promise.allSettled(this.vips.map((vip) => this.announce(vip, signal, operation)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async announce(vip: VipConfig, signal: AbortSignal, operation: string): Promise<void> {
    const subject = `${vip.address} on ${this.interface}`;
    const link = this.held?.link;
    if (this.native && link) {
      // Synchronous, no await before the send: the first round leaves inside acquire.
      if (signal.aborted) throw aborted(operation, subject, signal);
      const native = this.native;
      try {
        if (!link.mac) throw new ProviderError(operation, subject, false, { detail: `interface ${this.interface} has no MAC address to announce` });
        const mac = link.mac;
        this.nativeCall(operation, subject, () => (vip.family === 4 ? native.announceArp(link.ifindex, mac, vip.address) : native.announceNa(link.ifindex, mac, vip.address, link.linkLocal)));
        this.counters.announcements += 1;
        this.logger.debug({ vip: vip.address }, `announced ${vip.address} on ${this.interface}`);
      } catch (err) {
        this.counters.announceFailures += 1;
        throw err;
      }
      return;
    }
    const [tool, args]: [Tool, string[]] = vip.family === 4
      // Gratuitous ARP as a request with sender = target = VIP, as keepalived sends it.
      ? ['arping', ['-U', '-c', '1', '-I', this.interface, '--', vip.address]]
      // Unsolicited NA to ff02::1 with the Override flag and our MAC (RFC 4861 §7.2.6).
      : ['ndptool', ['-t', 'na', '-U', '-i', this.interface, '-T', vip.address, '--', 'send']];
    try {
      const result = await this.command(tool, args, signal, operation, subject);
      if (result.code !== 0) throw this.failure(operation, subject, result, [tool, ...args]);
      this.counters.announcements += 1;
      this.logger.debug({ vip: vip.address }, `announced ${vip.address} on ${this.interface}`);
    } catch (err) {
      if (!signal.aborted) this.counters.announceFailures += 1;
      throw err;
    }
  }

  private async backgroundRound(held: Held): Promise<void> {
    try {
      await this.announceRound(held.controller.signal, 'announcing');
    } catch (err) {
      this.backgroundFailure(held, err);
    }
  }

  /**
   * Keeps asserting what was decided (a backup that was briefly master must not leave the VIP
   * stranded, and a master must not lose it silently): puts back a VIP someone
   * removed, announces once more, probes for conflicts. Failures are logged, counted, survived.
   */
  private async refresh(held: Held): Promise<void> {
    if (held.refreshing) return;
    held.refreshing = true;
    const signal = held.controller.signal;
    const subject = `${this.vipsText()} on ${this.interface}`;
    try {
      // Through the queue, so a release never races a re-add.
      await this.exclusive('background', signal, 'refreshing', subject, async (laneSignal) => {
        if (this.held !== held) return;
        const link = await this.readLink(laneSignal, 'refreshing', subject);
        if (!link) throw new ProviderError('refreshing', subject, true, { detail: `interface ${this.interface} does not exist` });
        if ('ifindex' in link) held.link = link as NativeLinkState;
        for (const vip of this.vips) {
          if (link.addresses.has(vip.address)) continue;
          await this.addVip(vip, laneSignal, link);
          this.counters.readded += 1;
          this.logger.warn({ vip: vipText(vip) }, `${vipText(vip)} disappeared from ${this.interface} while held; added it back`);
        }
      });
      await this.announceRound(signal, 'announcing');
      if (this.detectConflicts) await this.checkConflicts(signal, 'refresh');
    } catch (err) {
      // A takeover or release went first (lanes.ts): not a failure, the next refresh repeats it.
      if (err instanceof ProviderError && err.cause instanceof PreemptedError) return;
      this.backgroundFailure(held, err);
    } finally {
      held.refreshing = false;
    }
  }

  private backgroundFailure(held: Held, err: unknown): void {
    if (held.controller.signal.aborted) return;
    this.counters.backgroundErrors += 1;
    this.logger.warn({ err }, `${(err as Error).message}; the next refresh tries again`);
  }

  // ---- conflicts ----

  private async backgroundConflictCheck(held: Held, found: VipConflict['found']): Promise<void> {
    try {
      await this.checkConflicts(held.controller.signal, found);
    } catch (err) {
      this.backgroundFailure(held, err);
    }
  }

  private async checkConflicts(signal: AbortSignal, found: VipConflict['found']): Promise<VipConflict[]> {
    const link = await this.readLink(signal, 'probing', `${this.vipsText()} on ${this.interface}`);
    const results = await Promise.all(this.vips.map((vip) => this.probe(vip, link, signal, found)));
    const conflicts = results.flat();
    for (const conflict of conflicts) this.report(conflict);
    return conflicts;
  }

  private async probe(vip: VipConfig, link: LinkState | undefined, signal: AbortSignal, found: VipConflict['found']): Promise<VipConflict[]> {
    const subject = `${vip.address} on ${this.interface}`;
    const ownMac = link?.mac;
    let macs: string[];
    if (this.native && link && 'ifindex' in link) {
      if (!ownMac) return [];
      const native = this.native;
      const { ifindex } = link as NativeLinkState;
      const wait = (ms: number) => this.sleep(ms, signal, 'probing', subject);
      try {
        macs = vip.family === 4 ? await native.probeArp(ifindex, ownMac, vip.address, PROBE_WAIT_MS, wait) : await native.probeNdp(ifindex, ownMac, vip.address, PROBE_WAIT_MS, wait);
      } catch (err) {
        if (err instanceof ProviderError) throw err;
        throw this.nativeError('probing', subject, err);
      }
    } else if (vip.family === 4) {
      // RFC 5227 probe from 0.0.0.0. iputils arping -D exits 0 when nobody answered, 1 when someone did.
      const args = ['-D', '-c', '2', '-w', '1', '-I', this.interface, '--', vip.address];
      const result = await this.command('arping', args, signal, 'probing', subject);
      if (result.code === 0) return [];
      if (result.code !== 1) throw this.failure('probing', subject, result, ['arping', ...args]);
      macs = parseArpingReplies(result.stdout);
    } else {
      // A Neighbor Solicitation for the VIP; ndisc6 exits 0 with answers, 2 without.
      const args = ['-m', '-n', '-r', '2', '-w', '500', '--', vip.address, this.interface];
      const result = await this.command('ndisc6', args, signal, 'probing', subject);
      if (result.code === 2) return [];
      if (result.code !== 0) throw this.failure('probing', subject, result, ['ndisc6', ...args]);
      macs = parseNdisc6Replies(result.stdout);
    }
    return macs.filter((mac) => mac !== ownMac).map((mac) => ({ address: vip.address, family: vip.family, interface: this.interface, mac, found }));
  }

  private report(conflict: VipConflict): void {
    this.counters.conflicts += 1;
    this.logger.warn(
      { vip: conflict.address, mac: conflict.mac, found: conflict.found },
      `another host (${conflict.mac}) answers for ${conflict.address} on ${this.interface}; not contesting it (the election decides)`,
    );
    try {
      this.onConflict?.(conflict);
    } catch (err) {
      this.logger.error({ err }, 'onConflict hook threw');
    }
  }

  // ---- running commands ----

  private locate(tool: Tool): Promise<string | undefined> {
    let path = this.toolPaths.get(tool);
    if (!path) {
      path = this.runner.locate(tool);
      this.toolPaths.set(tool, path);
      // A tool installed later is found on the next call.
      void path.then(
        (found) => { if (!found) this.toolPaths.delete(tool); },
        () => this.toolPaths.delete(tool),
      );
    }
    return path;
  }

  /** Runs a tool; resolves with any exit status, rejects only with ProviderError. */
  private async command(tool: Tool, args: string[], signal: AbortSignal, operation: string, subject: string): Promise<CommandResult> {
    if (signal.aborted) throw aborted(operation, subject, signal);
    const path = await this.locate(tool);
    if (!path) throw new ProviderError(operation, subject, false, { detail: `\`${tool}\` is not installed (Debian package ${TOOLS[tool].package})` });
    try {
      // Announcing and probing may wait: adding and removing addresses (takeover, release) go first.
      const background = BACKGROUND_OPERATIONS.has(operation);
      return await this.runner.run(path, args, { signal, timeoutMs: this.timeoutMs, ...(background ? { background } : {}) });
    } catch (err) {
      if (err instanceof CommandAbortedError || signal.aborted) throw aborted(operation, subject, signal);
      if (err instanceof CommandTimeoutError) throw new ProviderError(operation, subject, true, { cause: err, detail: err.message });
      throw new ProviderError(operation, subject, false, { cause: err, detail: `could not run ${path}: ${(err as Error).message}` });
    }
  }

  /** A failed command as a ProviderError: permission and missing interface get their own words. */
  private failure(operation: string, subject: string, result: CommandResult, argv: readonly string[]): ProviderError {
    const output = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(0, 3).join(' / ');
    const cause = new Error(`\`${argv.join(' ')}\` exited with ${result.code}: ${output}`);
    if (ipMessages.notPermitted(output)) {
      return new ProviderError(operation, subject, false, {
        cause,
        detail: `${output}: vipd needs CAP_NET_ADMIN (and CAP_NET_RAW for arping); run it as root or with AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW`,
      });
    }
    if (/Cannot open network namespace/i.test(output)) return new ProviderError(operation, subject, false, { cause, detail: output });
    if (ipMessages.noSuchDevice(output)) return new ProviderError(operation, subject, true, { cause, detail: `interface ${this.interface} does not exist` });
    return new ProviderError(operation, subject, true, { cause, detail: cause.message });
  }

  private async exclusive<T>(lane: Lane, signal: AbortSignal, operation: string, subject: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) throw aborted(operation, subject, signal);
    let laneSignal = signal;
    try {
      return await this.lanes.run(lane, signal, async (s) => {
        laneSignal = s;
        if (s.aborted) throw aborted(operation, subject, s);
        return await fn(s);
      });
    } catch (err) {
      if (laneSignal.aborted) {
        if (err instanceof ProviderError && err.cause === laneSignal.reason) throw err;
        throw aborted(operation, subject, laneSignal);
      }
      if (err instanceof ProviderError) throw err;
      if (signal.aborted) throw aborted(operation, subject, signal);
      throw new ProviderError(operation, subject, true, { cause: err, detail: (err as Error).message });
    }
  }

  /** A native call; its LinkCallError becomes a ProviderError (permission and missing interface in their own words). */
  private nativeCall<T>(operation: string, subject: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof ProviderError) throw err;
      throw this.nativeError(operation, subject, err);
    }
  }

  private nativeError(operation: string, subject: string, err: unknown): ProviderError {
    if (!(err instanceof LinkCallError)) return new ProviderError(operation, subject, true, { cause: err, detail: (err as Error).message });
    if (err.errno === ERRNO.EPERM || err.errno === ERRNO.EACCES) {
      return new ProviderError(operation, subject, false, {
        cause: err,
        detail: `${err.message}: vipd needs CAP_NET_ADMIN (and CAP_NET_RAW for announcements); run it as root or with AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW`,
      });
    }
    if (err.errno === ERRNO.ENOENT && /network namespace/.test(err.message)) return new ProviderError(operation, subject, false, { cause: err, detail: err.message });
    if (err.errno === ERRNO.ENODEV) return new ProviderError(operation, subject, true, { cause: err, detail: `interface ${this.interface} does not exist` });
    return new ProviderError(operation, subject, true, { cause: err, detail: err.message });
  }

  /** Waits on the provider's clock; rejects with the aborted ProviderError when `signal` aborts. */
  private sleep(ms: number, signal: AbortSignal, operation: string, subject: string): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(aborted(operation, subject, signal));
      const onAbort = () => {
        cancel();
        reject(aborted(operation, subject, signal));
      };
      const cancel = this.clock.schedule(this.clock.now() + ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private vipsText(): string {
    return this.vips.map(vipText).join(', ');
  }
}

function vipText(vip: VipConfig): string {
  return `${vip.address}/${vip.prefixLength}`;
}

/** The network of a VIP (2001:db8:: for 2001:db8::50/64): routes carry no host bits. */
function prefixBytes(vip: VipConfig): Uint8Array {
  const bytes = parseIp(vip.address, vip.family) ?? new Uint8Array(vip.family === 4 ? 4 : 16);
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, vip.prefixLength - i * 8));
    bytes[i] = (bytes[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return bytes;
}

/** "2001:db8::/64" for 2001:db8::50/64: `ip route` refuses host bits. */
function prefixText(vip: VipConfig): string {
  return `${formatIp(prefixBytes(vip))}/${vip.prefixLength}`;
}

function aborted(operation: string, subject: string, signal: AbortSignal): ProviderError {
  const reason: unknown = signal.reason;
  return new ProviderError(operation, subject, true, { cause: reason, detail: `aborted${reason instanceof Error ? ` (${reason.message})` : ''}` });
}
