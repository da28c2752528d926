// `vipd check -c FILE`: exit 2 on any error, 0 with a one-line summary when valid. Returns
// the output instead of printing so the CLI stays a thin shell and tests need no process.
import { formatIssue, summarize } from './format.js';
import { loadConfigFile, type LoadOptions } from './load.js';
import type { VipdConfig } from './types.js';

export interface CheckOutcome {
  readonly exitCode: 0 | 2;
  readonly stdout: string;
  readonly stderr: string;
  /** The normalised configuration, when the file is valid (`vipd check --cloud` goes on with it). */
  readonly config?: VipdConfig;
}

export async function checkConfig(path: string, options: LoadOptions): Promise<CheckOutcome> {
  const result = await loadConfigFile(path, options);
  if (!result.ok) {
    const count = result.errors.length;
    const lines = [...result.errors.map((issue) => formatIssue(issue)), `${count} error${count === 1 ? '' : 's'} in ${path}`];
    return { exitCode: 2, stdout: '', stderr: lines.map((line) => `${line}\n`).join('') };
  }
  // Warnings do not fail the check: they flag settings that have no effect, not broken ones.
  const stderr = result.warnings.map((issue) => `${formatIssue(issue, 'warning')}\n`).join('');
  return { exitCode: 0, stdout: `${summarize(result.config)}\n`, stderr, config: result.config };
}
