/**
 * A sweep point's scenario: the scenario file with each --set value
 * written into its YAML at the field's path, then read by the scenario
 * loader itself. So a value obeys exactly the grammar and checks it would
 * in the file (durations, ratios, ranges, ttl > heartbeat interval, ...),
 * and a bad one gives the loader's own one-line problem, naming the --set
 * (the first point holding a bad value reports it).
 */
import { isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { UsageError } from '../../cli/usage-error.ts';
import { fieldName } from '../scenario/field-reader.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { ScenarioError } from '../scenario/scenario-error.ts';
import type { Scenario } from '../scenario/scenario.ts';
import type { SweepParameter } from './set-option.ts';

export interface Setting {
  parameter: SweepParameter;
  value: string;
}

export function settingText(settings: readonly Setting[]): string {
  return settings.map((s) => `--set ${s.parameter.name}=${s.value}`).join(' ');
}

/** `text` is the scenario file's own text; the file name stays `file`, so results name the file the user gave. */
export function scenarioWithSettings(file: string, text: string, settings: readonly Setting[]): Scenario {
  const read = readWithSettings(file, text, settings);
  if (read instanceof ScenarioError) throw new UsageError(explain(file, settings, read));
  return read;
}

function readWithSettings(file: string, text: string, settings: readonly Setting[]): Scenario | ScenarioError {
  const doc = parseDocument(text, { uniqueKeys: true });
  for (const s of settings) writeSetting(file, doc, s);
  try {
    return parseScenario(file, doc.toString());
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
}

/**
 * The loader's problem, under the --set that caused it. Its line number
 * is dropped: it counts lines of the rewritten text, not of the file.
 */
function explain(file: string, settings: readonly Setting[], error: ScenarioError): string {
  const own = settings.find((s) => s.parameter.name === error.field);
  if (own !== undefined) return `${file}: ${settingText([own])}: ${error.problem}`;
  return `${file}: ${settingText(settings)}: ${error.field}: ${error.problem}`;
}

function writeSetting(file: string, doc: Document, s: Setting): void {
  const value = parseDocument(s.value).contents;
  if (!isScalar(value) || value.value === null) throw new UsageError(`${file}: ${settingText([s])}: expected a single value (a number, a duration, a percentage or a word)`);
  checkListIndices(file, doc, s);
  try {
    doc.setIn(s.parameter.path, value);
  } catch {
    throw new UsageError(`${file}: ${settingText([s])}: ${s.parameter.name} does not fit the scenario (a part of that path is a single value there, not a mapping or list)`);
  }
}

/** `topology[3].share` must name a class the file has: writing past a list's end would invent classes. */
function checkListIndices(file: string, doc: Document, s: Setting): void {
  const path = s.parameter.path;
  path.forEach((part, i) => {
    if (typeof part !== 'number') return;
    const list = doc.getIn(path.slice(0, i), true);
    const length = isSeq(list) ? list.items.length : 0;
    if (part >= length) throw new UsageError(`${file}: ${settingText([s])}: the scenario has no ${fieldName(path.slice(0, i + 1))} (${length > 0 ? `that list has ${length} items, [0] to [${length - 1}]` : `${fieldName(path.slice(0, i))} is not a list there`})`);
  });
}
