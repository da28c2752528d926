/**
 * The dashboard's files (src/api/dashboard/), served as they are: no build step at run time.
 * Only names in that folder are served; a path that tries to leave it finds nothing.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
};

/** From source (tsx) the folder is next to this file; from dist/ it is in the package's src/. */
function folder(): string {
  const candidates = [new URL('./dashboard/', import.meta.url), new URL('../../../src/api/dashboard/', import.meta.url)];
  const found = candidates.find((u) => existsSync(fileURLToPath(u)));
  return fileURLToPath(found ?? candidates[0] ?? new URL('./dashboard/', import.meta.url));
}

const cache = new Map<string, { type: string; body: Buffer }>();

export async function asset(path: string): Promise<{ type: string; body: Buffer } | undefined> {
  const name = path === '/' || path === '/index.html' ? 'index.html' : path.startsWith('/dashboard/') ? path.slice('/dashboard/'.length) : undefined;
  if (name === undefined || !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(name) || name.includes('..')) return undefined;
  const type = TYPES[name.split('.').at(-1) ?? ''];
  if (!type) return undefined;
  const hit = cache.get(name);
  if (hit) return hit;
  try {
    const body = await readFile(`${folder()}/${name}`);
    const entry = { type, body };
    cache.set(name, entry);
    return entry;
  } catch {
    return undefined;
  }
}
