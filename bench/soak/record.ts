/** What the soak measures: every answer, the fault windows, and how to attribute a 503 to a fault. */

export type Source = 'honest' | 'fuzz' | 'slow';

export interface Outcome {
  source: Source;
  op: string;
  /** HTTP method, 'raw' for bytes written straight to a TLS socket. */
  method: string;
  /** HTTP status, or null when no answer came (transport error). */
  status: number | null;
  /** The body's "code" for error answers. */
  code?: string;
  /** Transport error code/message when status is null. */
  error?: string;
  startMs: number;
  endMs: number;
}

export interface FaultWindow {
  kind: 'cut' | 'blackhole';
  startMs: number;
  endMs: number;
}

export const now = (): number => performance.now();

export class Recorder {
  readonly outcomes: Outcome[] = [];
  readonly faults: FaultWindow[] = [];

  add(outcome: Outcome): void {
    this.outcomes.push(outcome);
  }

  /** A request overlapped a fault when it was in flight at any time from the fault's start to 1 s after it healed. */
  overlapsFault(o: Outcome): FaultWindow | null {
    for (const f of this.faults) {
      if (o.startMs <= f.endMs + 1_000 && o.endMs >= f.startMs) return f;
    }
    return null;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

/** Transport errors that mean the connection was reset or closed under the request. */
export function isReset(error: string | undefined): boolean {
  return error !== undefined && /ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed|socket hang up/i.test(error);
}
