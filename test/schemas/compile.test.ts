/** Every schema in schemas/ compiles in ajv's strict mode, says what it is, and names the folder's every file. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAjv } from '../../reference/shared/ajv.ts';
import { SCHEMA_DIR, schemaFiles, strictAjv } from './schemas.ts';

describe('schemas/', () => {
  it('holds the five schemas', () => {
    expect(schemaFiles()).toEqual(['conformance-results.schema.json', 'scenario.schema.json', 'simulator-multi-seed.schema.json', 'simulator-results.schema.json', 'simulator-sweep.schema.json']);
  });

  it.each(schemaFiles())('%s is draft 2020-12 with $id and title, and compiles in strict mode', (file) => {
    const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(`urn:relaylab:schema:${file.replace(/\.schema\.json$/, '')}`);
    expect(typeof schema.title).toBe('string');
    expect(typeof schema.description).toBe('string');
    const ajv = strictAjv();
    expect(() => ajv.compile({ $ref: schema.$id as string })).not.toThrow();
  });

  it('strict mode refuses a schema with an unknown keyword (the check above can fail)', () => {
    const ajv = createAjv({ strict: true });
    expect(() => ajv.compile({ type: 'object', propertys: {} })).toThrow(/unknown keyword/);
  });
});
