/**
 * Typed, located reads from a parsed YAML document: every failure is a
 * ScenarioError naming the file, the line of the offending node and the
 * dotted field path. Unknown keys are errors too (a typo must not be
 * silently ignored).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ScenarioError } from './scenario-error.ts';
import { parseDurationMs, parsePercent } from './units.ts';

export type Path = ReadonlyArray<string | number>;

export class FieldReader {
  private constructor(
    private readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  static parse(file: string, text: string): FieldReader {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    const first = doc.errors[0];
    if (first !== undefined) {
      const line = lines.linePos(first.pos[0]).line;
      throw new ScenarioError(file, line, '(document)', `not valid YAML: ${first.message.split('\n')[0]}`);
    }
    const reader = new FieldReader(file, doc, lines);
    if (!isMap(doc.contents)) throw new ScenarioError(file, 1, '(document)', 'expected a mapping of scenario fields');
    return reader;
  }

  has(path: Path): boolean {
    return this.doc.hasIn(path);
  }

  /** The value as written (undefined when absent), for a check before the typed read. */
  raw(path: Path): unknown {
    return this.scalar(path);
  }

  fail(path: Path, problem: string): never {
    throw new ScenarioError(this.file, this.lineOf(path), fieldName(path), problem);
  }

  /** Errors on any key of the mapping at `path` not in `allowed`. */
  onlyKeys(path: Path, allowed: readonly string[]): void {
    const node = this.node(path);
    if (node === undefined) return;
    if (!isMap(node)) this.fail(path, 'expected a mapping');
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (!allowed.includes(key)) this.fail([...path, key], `unknown field (known: ${allowed.join(', ')})`);
    }
  }

  number(path: Path, fallback: number | undefined, range: { min?: number; max?: number; integer?: boolean } = {}): number {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(path, `expected a number, got ${JSON.stringify(value)}`);
    if (range.integer && !Number.isInteger(value)) this.fail(path, `expected a whole number, got ${value}`);
    if (range.min !== undefined && value < range.min) this.fail(path, `must be at least ${range.min}, got ${value}`);
    if (range.max !== undefined && value > range.max) this.fail(path, `must be at most ${range.max}, got ${value}`);
    return value;
  }

  durationMs(path: Path, fallback: number | undefined, minMs = 0): number {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    const ms = typeof value === 'string' ? parseDurationMs(value) : value === 0 ? 0 : null;
    if (ms === null) this.fail(path, `expected a duration like "24h", "30m", "5s" or "250ms", got ${JSON.stringify(value)}`);
    if (ms < minMs) this.fail(path, `must be at least ${minMs} ms, got ${JSON.stringify(value)}`);
    return ms;
  }

  /** A probability: 0.3 or "30%". */
  ratio(path: Path, fallback: number | undefined): number {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    const ratio = typeof value === 'number' ? value : typeof value === 'string' && parsePercent(value) !== null ? (parsePercent(value) as number) / 100 : null;
    if (ratio === null || ratio < 0 || ratio > 1) this.fail(path, `expected a ratio in [0, 1] or a percentage like "30%", got ${JSON.stringify(value)}`);
    return ratio;
  }

  percent(path: Path): number {
    const value = this.scalar(path);
    const percent = typeof value === 'string' ? parsePercent(value) : null;
    if (percent === null) this.fail(path, `expected a percentage like "40%", got ${JSON.stringify(value ?? null)}`);
    return percent;
  }

  choice<T extends string>(path: Path, options: readonly T[], fallback: T | undefined): T {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    if (typeof value !== 'string' || !(options as readonly string[]).includes(value)) this.fail(path, `expected one of ${options.join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  }

  boolean(path: Path, fallback: boolean | undefined): boolean {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    if (typeof value !== 'boolean') this.fail(path, `expected true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  string(path: Path, fallback: string | undefined): string {
    const value = this.scalar(path);
    if (value === undefined) return this.fallback(path, fallback);
    if (typeof value !== 'string' || value.trim() === '') this.fail(path, `expected text, got ${JSON.stringify(value)}`);
    return value;
  }

  /** Number of items of the sequence at `path` (0 when absent). */
  sequenceLength(path: Path, required: boolean): number {
    const node = this.node(path);
    if (node === undefined) {
      if (required) this.fail(path, 'required (a list)');
      return 0;
    }
    if (!isSeq(node)) this.fail(path, 'expected a list');
    return node.items.length;
  }

  private scalar(path: Path): unknown {
    const node = this.node(path);
    if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
    if (!isScalar(node)) this.fail(path, 'expected a single value, not a list or mapping');
    return node.value;
  }

  private fallback<T>(path: Path, fallback: T | undefined): T {
    if (fallback === undefined) this.fail(path, 'required');
    return fallback;
  }

  private node(path: Path): Node | undefined {
    return this.doc.getIn(path, true) as Node | undefined;
  }

  /** The line of the node at `path`, or of its nearest existing parent. */
  private lineOf(path: Path): number | null {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.node(path.slice(0, depth));
      const offset = node?.range?.[0];
      if (offset !== undefined) return this.lines.linePos(offset).line;
    }
    return null;
  }
}

export function fieldName(path: Path): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? part : `.${part}`;
  return out === '' ? '(document)' : out;
}
