/** What every bench phase shares: options, the labs, how to start vipd, progress and results. */
import { appendFileSync } from 'node:fs';
import type { BfdPlacement, Setting } from './impls.js';
import type { Lab } from './lab.js';
import type { BenchOptions, ImplId } from './options.js';
import { nowMs } from './proc.js';

export interface BenchContext {
  readonly options: BenchOptions;
  readonly labs: ReadonlyMap<ImplId, Lab>;
  /** argv that starts vipd, before `run -c FILE`. */
  readonly vipdArgv: readonly string[];
  /** Where vipd unicast's certificates and key are (the unicast lab's directory). */
  readonly pkiDir: string | undefined;
  readonly progress: Progress;
  readonly results: ResultsFile;
  /** Whether this vipd accepts the BFD row's `bfd:` configuration, and where (bench/bfd-support.ts). */
  readonly bfd: BfdSupport;
}

export type BfdSupport = { readonly placement: BfdPlacement } | { readonly notBuilt: string };

/** startImpl's BFD option for a setting (only the BFD row has a `bfd:` value). */
export function bfdStartOptions(ctx: BenchContext, setting: Setting): { bfdPlacement?: BfdPlacement } {
  return setting.bfd && 'placement' in ctx.bfd ? { bfdPlacement: ctx.bfd.placement } : {};
}

/** A one-line status that rewrites itself on a terminal (a plain line per update otherwise). */
export class Progress {
  private readonly started = nowMs();
  private current = '';
  private readonly tty = process.stdout.isTTY === true;
  private lastPrinted = { at: 0, key: '' };

  /** Replaces the status line (without a terminal: prints it, at most every 15 s for the same step). */
  set(text: string): void {
    this.current = `[${this.elapsed()}] ${text}`;
    if (this.tty) {
      process.stdout.write(`\r\x1b[K${this.current.slice(0, (process.stdout.columns || 120) - 1)}`);
      return;
    }
    const key = text.split(':')[0] ?? '';
    if (key === this.lastPrinted.key && nowMs() - this.lastPrinted.at < 15_000) return;
    this.lastPrinted = { at: nowMs(), key };
    process.stdout.write(`${this.current}\n`);
  }

  /** Prints a permanent line above the status line. */
  log(text: string): void {
    if (this.tty) process.stdout.write(`\r\x1b[K${text}\n${this.current.slice(0, (process.stdout.columns || 120) - 1)}`);
    else process.stdout.write(`${text}\n`);
  }

  /** Clears the status line (before the tables). */
  done(): void {
    if (this.tty) process.stdout.write('\r\x1b[K');
  }

  elapsed(): string {
    const s = Math.round((nowMs() - this.started) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  }
}

/** The raw runs, one JSON object per line, appended as each finishes (an interrupted bench keeps them). */
export class ResultsFile {
  constructor(readonly path: string) {}

  write(record: object): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
