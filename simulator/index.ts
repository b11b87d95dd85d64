/**
 * The deterministic simulator for Node apps: parse a scenario (the YAML of
 * scenarios/), run it on the virtual clock, render its report.
 *
 *   const results = await runScenario(parseScenario('mine.yaml', text));
 *   writeFileSync('report.html', renderReport(results, null));
 */
export { parseScenario } from './scenario/load-scenario.ts';
export { runScenario, applyOverrides, type ScenarioOverrides } from './run-scenario.ts';
export { renderReport } from './report/html-report.ts';
export type { Results } from './report/results.ts';
