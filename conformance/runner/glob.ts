/** `--only` and baseline patterns: `*` any run of characters, `?` one; comma-separated lists. */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'i');
}

export function splitPatterns(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
}

export function matchesAny(patterns: RegExp[], ...names: string[]): boolean {
  return patterns.some((p) => names.some((n) => p.test(n)));
}
