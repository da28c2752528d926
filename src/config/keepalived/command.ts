/**
 * `vipd import keepalived FILE [-o OUT]`: the YAML on stdout (or in OUT), and on stderr every
 * option that was not carried over or was changed, each with file:line and why, then a summary
 * line. Exit 0 when a configuration was produced (unmapped options included), 1 when none could
 * be: a syntax error, an unreadable file or include, or nothing importable (each named at its
 * file:line). Returns the output, as config/check.ts does, so tests need no process.
 */
import { writeFileSync } from 'node:fs';
import { formatIssue } from '../format.js';
import { importKeepalived, type ImportOptions } from './import.js';
import { formatEntry } from './report.js';

export interface ImportCommandOptions extends ImportOptions {
  /** Write the YAML here instead of stdout. */
  readonly out?: string | undefined;
}

export interface ImportOutcome {
  readonly exitCode: 0 | 1;
  readonly stdout: string;
  readonly stderr: string;
}

export function runImportKeepalived(file: string, options: ImportCommandOptions): ImportOutcome {
  const result = importKeepalived(file, options);
  const lines = result.report.map(formatEntry);
  if (!result.ok) {
    const errors = result.errors.map((e) => formatIssue(e));
    const out = [...lines, ...errors, `vipd import keepalived: nothing written: ${result.errors.length} error(s) in ${file}`];
    return { exitCode: 1, stdout: '', stderr: out.map((l) => `${l}\n`).join('') };
  }
  const warnings = result.warnings.map((w) => formatIssue(w, 'warning'));
  const unmapped = result.report.filter((e) => e.kind === 'unmapped').length;
  const tail = `vipd import keepalived: ${file}: ${result.summary.replace(/^From/, 'from')}${unmapped > 0 ? ' (each above with its file:line)' : ''}`;
  if (options.out !== undefined) {
    try {
      writeFileSync(options.out, result.yaml);
    } catch (error) {
      const why = `cannot write ${options.out}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
      return { exitCode: 1, stdout: '', stderr: [...lines, ...warnings, `vipd import keepalived: ${why}`].map((l) => `${l}\n`).join('') };
    }
  }
  const written = options.out === undefined ? [] : [`vipd import keepalived: wrote ${options.out}`];
  return {
    exitCode: 0,
    stdout: options.out === undefined ? result.yaml : '',
    stderr: [...lines, ...warnings, tail, ...written].map((l) => `${l}\n`).join(''),
  };
}
