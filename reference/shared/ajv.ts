/**
 * One way to make a JSON Schema (draft 2020-12) validator with formats
 * checked: report --merge's input check, the schema tests and the OpenAPI
 * test all use it.
 */
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext types the default import is the module, at run time the plugin.
const addFormats = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as typeof formatsPlugin.default;

export function createAjv(options: Options): Ajv2020 {
  return addFormats(new Ajv2020(options));
}
