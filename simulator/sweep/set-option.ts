/**
 * `--set FIELD=V1,V2,...`: one swept parameter. FIELD is a scenario
 * field's dotted path as scenario errors print it (`protocol.ttl`,
 * `topology[0].share`); the values are kept as typed, because the
 * scenario loader reads each one with that field's own grammar (see
 * point-scenario.ts) and the report labels the axis with them.
 */
import { fieldName, type Path } from '../scenario/field-reader.ts';
import { UsageError } from '../../cli/usage-error.ts';

export interface SweepParameter {
  /** The path as scenario errors spell it: `protocol.heartbeat_interval`, `topology[0].share`. */
  name: string;
  path: Path;
  /** As typed, in the order given: the report's axis follows it. */
  values: string[];
}

const KEY = /^[a-z_][a-z0-9_]*$/i;
const INDEXED = /^([a-z_][a-z0-9_]*)\[(\d+)\]$/i;

/**
 * Fields a sweep must not set: the seeds come from --seed and --seeds
 * (a swept seed would silently collide with the per-point seed rule).
 */
const NOT_SWEPT: Record<string, string> = {
  seed: 'the seeds come from --seed and --seeds (see the seed rule in results.json)',
};

export function parseSetOptions(texts: readonly string[]): SweepParameter[] {
  if (texts.length === 0) throw new UsageError('--set: name at least one field to sweep, e.g. --set protocol.heartbeat_interval=10m,20m,30m');
  const parameters = texts.map(parseSetOption);
  parameters.forEach((p, i) => {
    if (parameters.findIndex((q) => q.name === p.name) !== i) throw new UsageError(`--set ${p.name}: given twice; list all its values in one --set (${p.name}=a,b,c)`);
  });
  return parameters;
}

export function parseSetOption(text: string): SweepParameter {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`--set ${text}: expected FIELD=VALUE[,VALUE...], e.g. protocol.heartbeat_interval=10m,20m,30m`);
  const path = parsePath(text.slice(0, eq), text);
  const name = fieldName(path);
  const refused = NOT_SWEPT[name];
  if (refused !== undefined) throw new UsageError(`--set ${name}: cannot be swept: ${refused}`);
  const values = text.slice(eq + 1).split(',').map((v) => v.trim());
  if (values.some((v) => v === '')) throw new UsageError(`--set ${text}: an empty value; separate values with single commas, e.g. ${name}=10m,20m`);
  values.forEach((v, i) => {
    if (values.indexOf(v) !== i) throw new UsageError(`--set ${text}: ${v} is listed twice`);
  });
  return { name, path, values };
}

/** `protocol.ttl` → ['protocol', 'ttl']; `topology[0].share` (or `topology.0.share`) → ['topology', 0, 'share']. */
function parsePath(field: string, text: string): Path {
  const path: Array<string | number> = [];
  for (const part of field.trim().split('.')) {
    const indexed = INDEXED.exec(part);
    if (indexed !== null) path.push(indexed[1] as string, Number(indexed[2]));
    else if (/^\d+$/.test(part) && path.length > 0) path.push(Number(part));
    else if (KEY.test(part)) path.push(part);
    else throw new UsageError(`--set ${text}: "${field}" is not a scenario field path (write it as scenario errors do: protocol.heartbeat_interval, topology[0].share)`);
  }
  return path;
}
