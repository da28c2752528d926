// `npm run schema`: prints the published JSON Schema (docs/vipd.schema.json) with every
// provider of the registry; test/unit/config/schema-file.test.ts fails when the copy is stale.
import { pathToFileURL } from 'node:url';
import { jsonSchemaText } from '../config/emit-schema.js';
import { PROVIDER_PLUGINS } from './providers.js';

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(jsonSchemaText(PROVIDER_PLUGINS));
}
