/**
 * Whether namespace tests can run here, and a printed reason when they cannot: not Linux, not
 * root, iproute2 missing, or `ip netns add` refused (an unprivileged container).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { TestContext } from 'node:test';
import { exec } from './exec.js';
import { allocatePrefix, releasePrefix } from './names.js';

/** The Debian package that ships each tool the namespace tests use. */
export const DEBIAN_PACKAGE: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  bridge: 'iproute2',
  arping: 'iputils-arping',
  ping: 'iputils-ping',
  ndptool: 'libndp-tools',
  ndisc6: 'ndisc6',
  tcpdump: 'tcpdump',
  nft: 'nftables',
  setpriv: 'util-linux',
  sysctl: 'procps',
};

// sbin directories are searched too: a test run by `sudo` or CI may have a user's PATH.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Absolute path of an executable `tool` on PATH (or in the usual sbin dirs), else undefined. */
export async function locateTool(tool: string): Promise<string | undefined> {
  if (tool.includes('/')) return (await executable(tool)) ? tool : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_DIRS];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, tool);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** "ndptool (Debian package libndp-tools), ping (iputils-ping)" for the tools not installed, else undefined. */
export async function missingTools(tools: readonly string[]): Promise<string | undefined> {
  const missing: string[] = [];
  for (const tool of tools) {
    if (!(await locateTool(tool))) missing.push(`${tool} (Debian package ${DEBIAN_PACKAGE[tool] ?? 'unknown'})`);
  }
  return missing.length === 0 ? undefined : `not installed: ${missing.join(', ')}`;
}

let netnsCheck: Promise<string | undefined> | undefined;

/**
 * Why namespace tests cannot run here, or undefined when they can. Checked once per process by
 * creating and deleting a throwaway namespace (named like every other so a crash leaves nothing
 * a later sweep would miss).
 */
export function netnsSkipReason(): Promise<string | undefined> {
  netnsCheck ??= checkNetns();
  return netnsCheck;
}

async function checkNetns(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (run the tests as root, e.g. in CI or with sudo)';
  if (!(await locateTool('ip'))) return '`ip` not found (Debian package iproute2)';
  const prefix = allocatePrefix();
  const probe = `${prefix}p`;
  try {
    const added = await exec(['ip', 'netns', 'add', probe], { check: false, timeoutMs: 5_000 });
    if (added.code !== 0) return `\`ip netns add\` failed: ${added.stderr.trim() || `exit ${added.code}`}`;
    await exec(['ip', 'netns', 'del', probe], { check: false, timeoutMs: 5_000 });
    return undefined;
  } catch (err) {
    return `\`ip netns\` unavailable: ${(err as Error).message}`;
  } finally {
    releasePrefix(prefix);
  }
}

/**
 * Marks the test skipped with the reason (node:test prints it) and returns false when namespace
 * tests cannot run here. Usage: `if (!(await requireRoot(t))) return;`
 */
export async function requireRoot(t: TestContext): Promise<boolean> {
  const reason = await netnsSkipReason();
  if (reason) t.skip(reason);
  return reason === undefined;
}

/** Like requireRoot, for tools: skips naming each missing tool and its Debian package. */
export async function requireTools(t: TestContext, tools: readonly string[]): Promise<boolean> {
  const reason = await missingTools(tools);
  if (reason) t.skip(reason);
  return reason === undefined;
}
