// Files a configuration names (TLS material, signing secrets). Paths are resolved against the
// directory of the configuration file, not the working directory, so `vipd check` from
// anywhere and `vipd run` under systemd see the same files (issue 3). Synchronous on purpose:
// this runs once at start-up, and it keeps parseConfigText a plain function that never throws.
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
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
    const reason = notRegular(statSync(path));
    return reason === undefined ? { ok: true } : { ok: false, reason };
  } catch (error) {
    return { ok: false, reason: errnoReason(error) };
  }
}

/** The bytes of a small regular file (a signing secret). */
export function readSmallFile(path: string): FileRead {
  return readBoundedFile(path, MAX_SECRET_FILE_BYTES, 'not a secret');
}

/**
 * The bytes of a regular file of at most `maxBytes`, or why not. Opened non-blocking, so a FIFO
 * is refused instead of waiting forever for a writer; its type and size are checked on the open
 * file before a byte is read, so /dev/urandom costs nothing (issue 8 finding 11); and it reads at
 * most one byte past the limit.
 */
export function readBoundedFile(path: string, maxBytes: number, tooLargeNote: string): FileRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    return { ok: false, reason: errnoReason(error) };
  }
  try {
    const stats = fstatSync(fd);
    const reason = notRegular(stats);
    if (reason !== undefined) return { ok: false, reason };
    const tooLarge = { ok: false, reason: `is larger than ${sizeText(maxBytes)}; ${tooLargeNote}` } as const;
    if (stats.size > maxBytes) return tooLarge;
    // Not trusting the size (it may grow, and /proc files say 0): read to the end, or one byte
    // past the limit.
    const chunks: Buffer[] = [];
    let length = 0;
    while (length <= maxBytes) {
      const chunk = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - length));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      length += n;
    }
    if (length > maxBytes) return tooLarge;
    return { ok: true, bytes: Buffer.concat(chunks, length) };
  } catch (error) {
    return { ok: false, reason: errnoReason(error) };
  } finally {
    closeSync(fd);
  }
}

/**
 * TLS private keys and signing secrets let whoever reads them act as this node: warn when group
 * or others may read or write one (as ssh does for its keys). Undefined when the mode is tight
 * or the file cannot be examined (that is reported elsewhere).
 */
export function looseModeReason(path: string): string | undefined {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const access = (mode & 0o044) !== 0 ? 'readable' : 'writable';
  return `is ${access} by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`;
}

function notRegular(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'is a directory';
  const type = stats.isCharacterDevice() ? 'a character device' : stats.isBlockDevice() ? 'a block device' : stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'of another type';
  return `is not a regular file (${type})`;
}

function sizeText(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / 1024 / 1024} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
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
