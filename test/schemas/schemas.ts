/**
 * The JSON Schemas in schemas/, compiled the strict way (draft 2020-12,
 * ajv strict mode, formats checked): one Ajv holds them all, so the
 * multi-seed and sweep schemas' references to the simulator results
 * schema by $id resolve.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '../../reference/shared/ajv.ts';

export const ROOT = join(import.meta.dirname, '../..');
export const SCHEMA_DIR = join(ROOT, 'schemas');

export type SchemaName = 'scenario' | 'conformance-results' | 'simulator-results' | 'simulator-multi-seed' | 'simulator-sweep';

export function schemaFiles(): string[] {
  return readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();
}

export function readSchema(name: SchemaName): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), 'utf8')) as Record<string, unknown>;
}

/** A fresh strict Ajv with every schema in schemas/ added; `allErrors` so a failure lists every problem. */
export function strictAjv(): Ajv2020 {
  const ajv = createAjv({ strict: true, allErrors: true });
  for (const file of schemaFiles()) ajv.addSchema(JSON.parse(readFileSync(join(SCHEMA_DIR, file), 'utf8')) as object);
  return ajv;
}

let shared: Ajv2020 | null = null;

export function validator(name: SchemaName): ValidateFunction {
  shared ??= strictAjv();
  const validate = shared.getSchema(`urn:relaylab:schema:${name}`);
  if (validate === undefined) throw new Error(`no schema urn:relaylab:schema:${name} in ${SCHEMA_DIR}`);
  return validate;
}

/** The errors of `value` against the schema, one readable line each ([] when it validates). */
export function problems(name: SchemaName, value: unknown): string[] {
  const validate = validator(name);
  return validate(value) ? [] : (validate.errors ?? []).map(errorLine);
}

function errorLine(e: ErrorObject): string {
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;
}
