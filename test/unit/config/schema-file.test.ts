import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';
import { jsonSchemaText as schemaFor } from '../../../src/config/emit-schema.js';
import { referenceMarkdown } from '../../../src/config/reference.js';

/** `npm run schema` prints it with the registry (src/app/emit-schema.ts). */
const jsonSchemaText = () => schemaFor(PROVIDER_PLUGINS);

test('docs/vipd.schema.json is current', async () => {
  const published = await readFile(new URL('../../../docs/vipd.schema.json', import.meta.url), 'utf8').catch(() => '');
  assert.ok(published === jsonSchemaText(), 'docs/vipd.schema.json is stale: run npm run schema');
});

test('docs/config-reference.md is current, and lists every top-level key, group key and provider', async () => {
  const published = await readFile(new URL('../../../docs/config-reference.md', import.meta.url), 'utf8').catch(() => '');
  assert.ok(published === referenceMarkdown(jsonSchemaText()), 'docs/config-reference.md is stale: run npm run schema');
  const schema = JSON.parse(jsonSchemaText()) as { properties: Record<string, unknown> & { groups: { items: { properties: Record<string, unknown> } } } };
  for (const key of Object.keys(schema.properties)) assert.match(published, new RegExp(`\\| \\[?\`${key}\``), `top-level ${key}`);
  for (const key of Object.keys(schema.properties.groups.items.properties)) assert.match(published, new RegExp(`\\| \\[?\`${key}\``), `group key ${key}`);
  for (const p of PROVIDER_PLUGINS) assert.match(published, new RegExp(`^#+ Top level groups\\[\\] provider: ${p.type}( mode [a-z-]+)?$`, 'm'), `provider ${p.type}`);
});

test('the published schema rejects unknown keys everywhere and documents fields', () => {
  const schema = JSON.parse(jsonSchemaText()) as { additionalProperties: unknown; required: string[]; properties: Record<string, { description?: string }> };
  assert.equal(schema.additionalProperties, false);
  // tls and auth are required unless insecure: true, and groups unless role: witness: load.ts says so.
  assert.deepEqual(schema.required, ['cluster_id', 'node']);
  for (const [key, field] of Object.entries(schema.properties)) assert.ok(field.description, `${key} has a description`);
  assert.ok(!jsonSchemaText().includes('"additionalProperties": {}'), 'every mapping is strict');
});
