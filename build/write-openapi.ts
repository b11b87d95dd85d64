/**
 * Writes docs/openapi.json, the OpenAPI 3.1 document the reference relay
 * serves at /api/openapi.json, generated from the relay's own schemas.
 * `--check` writes nothing and exits 1 when the file is stale (CI).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiDocumentText } from '../reference/relay/api-schema/openapi-document.ts';

const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
const text = openApiDocumentText();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing: stale
  }
  if (current !== text) {
    process.stderr.write('docs/openapi.json is stale: run npx tsx build/write-openapi.ts\n');
    process.exit(1);
  }
  process.stdout.write('docs/openapi.json is up to date\n');
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote docs/openapi.json (${Buffer.byteLength(text)} bytes)\n`);
}
