/**
 * The edge that shows a long run's progress on stderr (stdout stays the
 * parseable summary). On a TTY: one bar redrawn in place (cli-progress).
 * Elsewhere (CI logs): one plain line at each 10% step, nothing else.
 * The text itself comes from progress-math.ts.
 */
import cliProgress from 'cli-progress';
import { decilesCrossed, fractionDone, progressText, type ProgressState } from './progress-math.ts';

export interface ProgressUpdate {
  done: number;
  /** Simulated events so far (simulate only). */
  events?: number;
}

export interface ProgressWriter {
  update(update: ProgressUpdate): void;
  /** Clears the TTY bar (the summary follows); prints nothing when not on a TTY. */
  stop(): void;
  /** Wall time since the writer was made. */
  elapsedMs(): number;
}

export interface ProgressWriterOptions {
  label: string;
  total: number;
  unit: ProgressState['unit'];
  /** Whether to count events/s (simulate). */
  withEvents?: boolean;
  stream?: NodeJS.WriteStream;
  tty?: boolean;
  now?: () => number;
}

export function progressWriter(options: ProgressWriterOptions): ProgressWriter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const started = now();
  const stateOf = (u: ProgressUpdate): ProgressState => ({
    done: u.done,
    total: options.total,
    unit: options.unit,
    elapsedMs: now() - started,
    ...(options.withEvents ? { events: u.events ?? null } : {}),
  });
  const tty = options.tty ?? stream.isTTY === true;
  return { ...(tty ? ttyWriter(options, stream, stateOf) : lineWriter(options, stream, stateOf)), elapsedMs: () => now() - started };
}

function ttyWriter(options: ProgressWriterOptions, stream: NodeJS.WriteStream, stateOf: (u: ProgressUpdate) => ProgressState): Omit<ProgressWriter, 'elapsedMs'> {
  let text = progressText(options.label, stateOf({ done: 0 }));
  const bar = new cliProgress.SingleBar({
    stream,
    clearOnComplete: true,
    hideCursor: false,
    barsize: 20,
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    fps: 10,
    format: (opts, params) => `${cliProgress.Format.BarFormat(params.progress, opts)} ${text}`,
  });
  bar.start(options.total, 0);
  return {
    update(u) {
      text = progressText(options.label, stateOf(u));
      bar.update(Math.min(options.total, u.done));
    },
    stop() {
      bar.stop();
    },
  };
}

function lineWriter(options: ProgressWriterOptions, stream: NodeJS.WriteStream, stateOf: (u: ProgressUpdate) => ProgressState): Omit<ProgressWriter, 'elapsedMs'> {
  let shown = 0;
  return {
    update(u) {
      const state = stateOf(u);
      const f = fractionDone(state.done, state.total);
      const crossed = decilesCrossed(shown, f);
      if (crossed.length === 0) return;
      // A jump over several steps prints one line, at the step reached.
      shown = (crossed.at(-1) as number) / 100;
      stream.write(`${progressText(options.label, state, crossed.at(-1))}\n`);
    },
    stop() {},
  };
}
