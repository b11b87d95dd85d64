/**
 * The `partial` key of a results.json written after Ctrl-C (issue 13): the
 * conformance and simulator results, their JSON Schemas (schemas/) and the
 * report banners all read this one shape.
 */
export interface PartialMark {
  signal: 'SIGINT';
  /** One line: what the numbers cover, e.g. "41 of 97 cases finished". */
  note: string;
}

export function partialMark(note: string): PartialMark {
  return { signal: 'SIGINT', note };
}

/** `partial` right after `schema` (or first): a reader sees it before any number. */
export function withPartial<T extends object>(value: T, partial: PartialMark): T & { partial: PartialMark } {
  const { schema, ...rest } = value as T & { schema?: unknown };
  return (schema === undefined ? { partial, ...rest } : { schema, partial, ...rest }) as T & { partial: PartialMark };
}
