/**
 * Checks a conformance results.json read from disk against its JSON Schema
 * (schemas/conformance-results.schema.json) before any report is built from
 * it: a file with a missing field or markup where a number belongs is one
 * line and exit 2, never a stack trace or script in the merged report.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { createAjv } from '../../../reference/shared/ajv.ts';

/** schemas/ sits at the package root: three folders up from the source, four from dist/. */
function schemaText(): string {
  for (const up of ['../../../', '../../../../']) {
    const url = new URL(`${up}schemas/conformance-results.schema.json`, import.meta.url);
    if (existsSync(url)) return readFileSync(url, 'utf8');
  }
  throw new Error('schemas/conformance-results.schema.json is missing from this installation');
}

let validate: ValidateFunction | null = null;

/** null when `value` is a valid results.json, else what is wrong, in one short phrase. */
export function resultsProblem(value: unknown): string | null {
  validate ??= createAjv({ strict: false, allErrors: false }).compile(JSON.parse(schemaText()) as object);
  if (validate(value)) return null;
  const error = validate.errors?.[0] as ErrorObject | undefined;
  return error === undefined ? 'does not match the schema' : `${error.instancePath || '(top)'} ${error.message ?? 'is wrong'}`;
}
