// Shared by the configuration tests: load a document as if it were a file in
// test/fixtures/config/, whose pki/ directory holds the TLS and secret files it names.
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigText, type ConfigIssue } from '../../../src/config/load.js';
import type { VipdConfig } from '../../../src/config/types.js';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';

/** The real registry: the configuration code gets its providers' schemas from it (src/app/providers.ts). */
export const REGISTRY = { providers: PROVIDER_PLUGINS } as const;

export const FIXTURES = fileURLToPath(new URL('../../fixtures/config/', import.meta.url));

// git keeps no mode but 644 and 755, and vipd warns about a key or secret readable by others
// (trust.ts): give the fixture secrets the mode a real installation would.
for (const name of ['node-a.key', 'k1.key', 'k2.key']) chmodSync(join(FIXTURES, 'pki', name), 0o600);

/** Relative to the working directory, as a user would type it, wherever the runner starts. */
export const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url)));

/** A file that does not exist, in the fixtures directory: relative paths resolve there. */
export const FILE = fixture('inline.yaml');

/** tls and auth with the fixture files; appended after `groups` so group line numbers stay put. */
export const TRUST = 'tls: {ca: pki/ca.crt, cert: pki/node-a.crt, key: pki/node-a.key}\nauth: {active_key: k1, keys: [{id: k1, secret_file: pki/k1.key}]}\n';

export function valid(text: string): VipdConfig {
  const result = parseConfigText(text, FILE, REGISTRY);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors, null, 2));
  return result.config;
}

export function errors(text: string): ConfigIssue[] {
  const result = parseConfigText(text, FILE, REGISTRY);
  assert.ok(!result.ok, 'expected errors');
  for (const issue of result.errors) assert.equal(issue.file, FILE);
  return result.errors;
}

export function warnings(text: string): ConfigIssue[] {
  const result = parseConfigText(text, FILE, REGISTRY);
  assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.errors, null, 2));
  return result.warnings;
}

function onlyIssue(found: ConfigIssue[], path: string, message: RegExp, line?: number): ConfigIssue {
  assert.equal(found.length, 1, JSON.stringify(found, null, 2));
  const [issue] = found as [ConfigIssue];
  assert.equal(issue.path, path);
  assert.match(issue.message, message);
  if (line !== undefined) assert.equal(issue.line, line, `line of ${path}`);
  return issue;
}

/** Exactly one error, at `path`, whose message matches; `line` when given. */
export function oneError(text: string, path: string, message: RegExp, line?: number): ConfigIssue {
  return onlyIssue(errors(text), path, message, line);
}

/** Exactly one warning (the file is valid), at `path` and `line`, whose message matches. */
export function oneWarning(text: string, path: string, message: RegExp, line?: number): ConfigIssue {
  return onlyIssue(warnings(text), path, message, line);
}
