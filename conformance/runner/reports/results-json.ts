/**
 * results.json, schema version 2 (conformance/RESULTS.md). Exchanges and
 * identities are kept for the cases an implementer has to look at (fail,
 * non-strict, unimplemented, blocked, intermittent, harness-error), and
 * dropped for pass, skip and not-applicable ones, which would only make the
 * file large; `exchangeCount` says how many each case made either way.
 */
import { DETAILED_KINDS } from '../terminal-tree.ts';
import type { SuiteResult } from '../types.ts';

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
  return `${JSON.stringify({ ...result, cases }, null, 2)}\n`;
}
