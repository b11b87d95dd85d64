/**
 * results.json (schema: conformance/RESULTS.md). Exchanges and identities
 * are kept for failing and skipped cases only: they are what a reader needs,
 * and passing ones would make the file large.
 */
import type { SuiteResult } from '../run-suite.ts';

export function toResultsJson(result: SuiteResult): string {
  const cases = result.cases.map((c) => {
    const keepDetail = c.verdict === 'fail';
    return {
      ...c,
      exchangeCount: c.exchanges.length,
      exchanges: keepDetail ? c.exchanges : [],
      identities: keepDetail ? c.identities : [],
    };
  });
  return `${JSON.stringify({ ...result, cases }, null, 2)}\n`;
}
