/**
 * Which source module each line of an esbuild bundle came from. esbuild
 * (not minified) starts every module's code with a comment line naming
 * its path, `// reference/peer/core/peer-lifecycle.ts`, at column 0; a
 * line belongs to the last such comment above it. bench:sim's profile by
 * module (bench/module-profile.ts) reads a sample's function position
 * through this.
 */
const MODULE_MARK = /^\/\/ ([\w@.\/-]+\.(?:ts|js|mjs|cjs|json))$/;

export interface BundleModules {
  /** The module the 0-based `line` of the bundle belongs to, or null above the first module. */
  moduleAt(line: number): string | null;
  readonly count: number;
}

export function bundleModules(bundleText: string): BundleModules {
  const starts: number[] = [];
  const paths: string[] = [];
  const lines = bundleText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const mark = MODULE_MARK.exec(lines[i] as string);
    if (mark) {
      starts.push(i);
      paths.push(mark[1] as string);
    }
  }
  if (starts.length === 0) throw new Error('no esbuild module comments in the bundle: was it minified or built with legalComments/none stripping them?');
  return {
    count: starts.length,
    moduleAt(line: number): string | null {
      // The last start at or above `line`.
      let lo = 0;
      let hi = starts.length - 1;
      if (line < (starts[0] as number)) return null;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] as number) <= line) lo = mid;
        else hi = mid - 1;
      }
      return paths[lo] as string;
    },
  };
}
