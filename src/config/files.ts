// Files a configuration names (TLS material, signing secrets). Paths are resolved against the
// directory of the configuration file, not the working directory, so `vipd check` from
// anywhere and `vipd run` under systemd see the same files (issue 3). Synchronous on purpose:
// this runs once at start-up, and it keeps parseConfigText a plain function that never throws.
import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

export type FileCheck = { ok: true } | { ok: false; reason: string };
export type FileRead = { ok: true; bytes: Buffer } | { ok: false; reason: string };

/** A secret file is a few dozen bytes; anything this large was named by mistake. */
const MAX_SECRET_FILE_BYTES = 64 * 1024;

export function resolveConfigPath(baseDir: string, written: string): string {
  return isAbsolute(written) ? resolve(written) : resolve(baseDir, written);
}

/** How a file is named in a message: as written, and where that resolved to when it differs. */
export function showPath(written: string, absolute: string): string {
  return written === absolute ? absolute : `${JSON.stringify(written)} (${absolute})`;
}

/**
 * Whether a regular file is at `path`. Existence only: `vipd check` run by a user who may not
 * read a root-only key file should not call that file missing.
 */
export function checkFile(path: string): FileCheck {
  try {
    const stats = statSync(path);
    if (stats.isFile()) return { ok: true };
    return { ok: false, reason: stats.isDirectory() ? 'is a directory' : 'is not a regular file' };
  } catch (error) {
    return { ok: false, reason: errnoReason(error) };
  }
}

/** The bytes of a small regular file. Checked first: reading /dev/urandom or a FIFO would never end. */
export function readSmallFile(path: string): FileRead {
  const found = checkFile(path);
  if (!found.ok) return found;
  try {
    if (statSync(path).size > MAX_SECRET_FILE_BYTES) return { ok: false, reason: `is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB; not a secret` };
    return { ok: true, bytes: readFileSync(path) };
  } catch (error) {
    return { ok: false, reason: errnoReason(error) };
  }
}

function errnoReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
      return 'a parent of this path is not a directory';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
