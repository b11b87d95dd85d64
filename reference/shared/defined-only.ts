/**
 * The keys of `source` whose values are not undefined: how optional settings
 * are passed on under `exactOptionalPropertyTypes` without spelling
 * `...(x !== undefined ? { x } : {})` for each one. With `keys`, only those.
 */
export function definedOnly<T extends object, K extends keyof T = keyof T>(source: T, keys?: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys ?? (Object.keys(source) as K[])) if (source[key] !== undefined) out[key] = source[key];
  return out;
}
