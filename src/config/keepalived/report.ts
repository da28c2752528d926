/**
 * What the import could not carry over, and what it changed on the way: every entry names the
 * keepalived file and line, the option, and why. `unmapped`: vipd has no equivalent, the option
 * is left out. `note`: it was mapped, but the user should know how (a shell added, a hook
 * replaced by a provider, a rounded interval).
 */
import type { Path } from '../findings.js';
import { where, type SourceRef } from './lexer.js';

export type EntryKind = 'unmapped' | 'note';

export interface ReportEntry {
  readonly kind: EntryKind;
  readonly at: SourceRef;
  /** The keepalived option as written, e.g. `smtp_alert` or `auth_type AH`. */
  readonly option: string;
  readonly reason: string;
  /** Where in the vipd document it belongs, for its comment; absent: the file's header. */
  readonly path?: Path;
}

/** `basic.conf:17:5: unmapped: smtp_alert: vipd sends no mail; ...` */
export function formatEntry(entry: ReportEntry): string {
  return `${where(entry.at)}: ${entry.kind}: ${entry.option}: ${entry.reason}`;
}

/** The same entry as a YAML comment line (the position is the keepalived one). */
export function commentOf(entry: ReportEntry): string {
  return ` ${entry.kind === 'unmapped' ? 'UNMAPPED' : 'NOTE'} ${where(entry.at)} ${entry.option}: ${entry.reason}`;
}

/** Collects entries; a converter of one part hands its entries on with a path prefix. */
export class Report {
  readonly entries: ReportEntry[] = [];

  unmapped(at: SourceRef, option: string, reason: string, path?: Path): void {
    this.entries.push({ kind: 'unmapped', at, option, reason, ...(path && { path }) });
  }

  note(at: SourceRef, option: string, reason: string, path?: Path): void {
    this.entries.push({ kind: 'note', at, option, reason, ...(path && { path }) });
  }

  /** Adds `other`'s entries with `prefix` before their paths (a group's entries, once its index is known). */
  absorb(other: Report, prefix: Path | undefined): void {
    for (const { path: inner, ...entry } of other.entries) {
      this.entries.push(prefix === undefined ? entry : { ...entry, path: [...prefix, ...(inner ?? [])] });
    }
  }

  /** In reading order: by file (as `files` lists them), line and column; stable otherwise. */
  sort(files: readonly string[]): void {
    const key = (e: ReportEntry) => [files.indexOf(e.at.file), e.at.line, e.at.col ?? 0];
    this.entries.sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
      return 0;
    });
  }

  count(kind: EntryKind): number {
    return this.entries.filter((e) => e.kind === kind).length;
  }
}
