// Prints the published JSON Schema (docs/vipd.schema.json) for editors and CI validators.
// `npm run schema` regenerates the file; a unit test fails when the checked-in copy is stale.
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { configSchema } from './schema.js';

/** Stable text: same schema, same bytes (pretty, two-space indent, trailing newline). */
export function jsonSchemaText(): string {
  // io 'input' describes what a user writes: fields with defaults are optional.
  const schema = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(jsonSchemaText());
}
