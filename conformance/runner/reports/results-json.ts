/**
 * results.json, schema version 2 (conformance/RESULTS.md). Exchanges and
 * identities are kept for the cases an implementer has to look at (fail,
 * non-strict, unimplemented, blocked, intermittent, harness-error), and
 * dropped for pass, skip and not-applicable ones, which would only make the
 * file large; `exchangeCount` says how many each case made either way.
 * `schema` comes first and names the format (schemas/conformance-results.schema.json).
 */
import { DETAILED_KINDS } from '../terminal-tree.ts';
import type { SuiteResult } from '../types.ts';

/** The `schema` value of a results.json of this schema version. */
export function resultsSchemaName(schemaVersion: number): string {
  return `relaylab.conformance.results/${schemaVersion}`;
}

export function toResultsJson(result: SuiteResult): string {
  const cases = result.cases.map((c) => {
    const keepDetail = DETAILED_KINDS.has(c.verdict);
    return {
      ...c,
      exchangeCount: c.exchanges.length,
      exchanges: keepDetail ? c.exchanges : [],
      identities: keepDetail ? c.identities : [],
    };
  });
  return `${JSON.stringify({ schema: resultsSchemaName(result.schemaVersion), ...result, cases }, null, 2)}\n`;
}
