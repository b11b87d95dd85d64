/**
 * The conformance suite for Node apps: run every case of SPEC.md against a
 * relay's URL and read the verdicts, or write the reports the CLI writes.
 *
 *   const result = await runSuite({ target: { url: 'https://127.0.0.1:8443', caPem } });
 *   console.log(result.summary, result.exitCode);
 */
export { runSuite, type SuiteOptions, type SuiteListener, type SuiteResult } from './runner/run-suite.ts';
export type { TargetOptions } from './runner/target.ts';
export { toReportHtml } from './runner/reports/html.ts';
