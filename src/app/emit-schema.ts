// `npm run schema`: writes the published JSON Schema (docs/vipd.schema.json) with every
// provider of the registry, and the configuration reference made from it
// (docs/config-reference.md); test/unit/config/schema-file.test.ts fails when either is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jsonSchemaText } from '../config/emit-schema.js';
import { referenceMarkdown } from '../config/reference.js';
import { PROVIDER_PLUGINS } from './providers.js';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const schema = jsonSchemaText(PROVIDER_PLUGINS);
  writeFileSync(fileURLToPath(new URL('../../docs/vipd.schema.json', import.meta.url)), schema);
  writeFileSync(fileURLToPath(new URL('../../docs/config-reference.md', import.meta.url)), referenceMarkdown(schema));
}
