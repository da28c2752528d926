// The published JSON Schema (docs/vipd.schema.json) for editors and CI validators: the whole
// file, with every provider's mapping from the catalogue. `npm run schema` runs
// src/app/emit-schema.ts, which passes the registry; a unit test fails when the checked-in copy
// is stale.
import { z } from 'zod';
import { DOCUMENTED_DEFAULTS } from './fields.js';
import type { ProviderCatalogue } from './provider-schema.js';
import { schemasFor } from './schema.js';

/** Stable text: same schema, same bytes (pretty, two-space indent, trailing newline). */
export function jsonSchemaText(providers: ProviderCatalogue): string {
  // io 'input' describes what a user writes: fields with defaults are optional.
  const schema = z.toJSONSchema(schemasFor(providers).config, {
    io: 'input',
    target: 'draft-2020-12',
    override: ({ zodSchema, jsonSchema }) => {
      const value = DOCUMENTED_DEFAULTS.get(zodSchema);
      if (value !== undefined) jsonSchema.default = value;
    },
  });
  return `${JSON.stringify(schema, null, 2)}\n`;
}
