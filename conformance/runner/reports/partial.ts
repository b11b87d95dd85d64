/**
 * A run stopped early (Ctrl-C, SIGTERM) writes what it has, marked with a
 * top-level `"partial": {"signal": "SIGINT", "note": "..."}` in
 * results.json. Every report says so first: its counts cover only the
 * cases that finished. Read defensively here because results written by
 * other versions, or hand-edited, may carry anything under the key.
 */
import type { SuiteResult } from '../types.ts';

export interface PartialRun {
  signal: string;
  note: string;
}

/** The note as a sentence: capitalised, ending in a full stop. */
export function sentence(note: string): string {
  const text = note.trim();
  if (text === '') return '';
  return `${text[0]?.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`;
}

export function partialOf(result: SuiteResult): PartialRun | null {
  const raw = (result as SuiteResult & { partial?: unknown }).partial;
  if (raw === undefined || raw === null || typeof raw !== 'object') return null;
  const { signal, note } = raw as { signal?: unknown; note?: unknown };
  return {
    signal: typeof signal === 'string' && signal !== '' ? signal : 'a signal',
    note: typeof note === 'string' ? note : '',
  };
}
