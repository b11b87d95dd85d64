/**
 * One visit: POST /bridge/connect {email} and follow its event stream
 * (lookup, each attempt as it arrives, done). A new visit, or cancel(),
 * aborts the one before.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { BRIDGE_PATHS } from '../bridge-contract.ts';
import type { AttemptView, ConnectEvent } from '../bridge-contract.ts';
import { openBridgeStream } from './event-stream.ts';
import { cleanOrigin } from './peer-client.ts';
import { isAbort, notOnline, Problem } from './problem.ts';

export type VisitPhase = 'looking' | 'trying' | 'connected' | 'failed' | 'cancelled';

type DoneEvent = Extract<ConnectEvent, { type: 'done' }>;

export interface VisitState {
  /** Counts visits, so a view can tell a new one from an update. */
  id: number;
  email: string;
  phase: VisitPhase;
  lookup: { port: number; addresses: string[] } | null;
  attempts: AttemptView[];
  /** Started and not settled yet (cleared when the visit is decided). */
  pending: Array<{ index: number; address: string; port: number }>;
  done: DoneEvent | null;
  /** The checked origin of the winner, when connected. */
  origin: string | null;
  /** One line with what to do, when failed. */
  failure: string | null;
}

export interface Visit {
  state: VisitState | null;
  start(email: string): void;
  cancel(): void;
}

function failureLine(done: DoneEvent): string {
  if (done.message && done.message.trim()) return done.message.trim();
  switch (done.outcome) {
    case 'not_found':
      return notOnline(done.email);
    case 'unreachable':
      return `none of ${done.email}'s announced addresses answered as ${done.email}: ask them to check their peer is running and reachable, then Visit again`;
    default:
      return `the visit to ${done.email} failed: Visit again`;
  }
}

function asAttempt(value: unknown): AttemptView | null {
  if (!value || typeof value !== 'object') return null;
  const a = value as Partial<AttemptView>;
  if (typeof a.address !== 'string' || typeof a.outcome !== 'string') return null;
  return {
    index: typeof a.index === 'number' ? a.index : -1,
    address: a.address,
    port: typeof a.port === 'number' ? a.port : 0,
    outcome: a.outcome,
    seenEmail: typeof a.seenEmail === 'string' ? a.seenEmail : null,
    detail: typeof a.detail === 'string' ? a.detail : null,
    elapsedMs: typeof a.elapsedMs === 'number' ? a.elapsedMs : 0,
  };
}

export function useVisit(onConnected: (origin: string, email: string) => void): Visit {
  const [state, setState] = useState<VisitState | null>(null);
  const controller = useRef<AbortController | null>(null);
  const counter = useRef(0);
  const connected = useRef(onConnected);
  connected.current = onConnected;

  useEffect(() => () => controller.current?.abort(), []);

  const start = useCallback((email: string) => {
    controller.current?.abort();
    const mine = new AbortController();
    controller.current = mine;
    const id = ++counter.current;
    const update = (change: (s: VisitState) => VisitState) => {
      if (!mine.signal.aborted) setState((s) => (s && s.id === id ? change(s) : s));
    };
    setState({ id, email, phase: 'looking', lookup: null, attempts: [], pending: [], done: null, origin: null, failure: null });
    let finished = false;
    const onEvent = (type: string, value: Record<string, unknown>) => {
      if (type === 'lookup') {
        const addresses = Array.isArray(value.addresses) ? value.addresses.filter((a): a is string => typeof a === 'string') : [];
        const port = typeof value.port === 'number' ? value.port : 0;
        update((s) => ({ ...s, phase: 'trying', lookup: { port, addresses } }));
      } else if (type === 'attempt_started') {
        const { index, address, port } = value as { index?: unknown; address?: unknown; port?: unknown };
        if (typeof index === 'number' && typeof address === 'string' && typeof port === 'number') update((s) => ({ ...s, phase: s.phase === 'looking' ? 'trying' : s.phase, pending: [...s.pending, { index, address, port }] }));
      } else if (type === 'attempt') {
        const attempt = asAttempt(value.attempt);
        if (attempt) update((s) => ({ ...s, phase: s.phase === 'looking' ? 'trying' : s.phase, attempts: [...s.attempts, attempt], pending: s.pending.filter((p) => p.index !== attempt.index) }));
      } else if (type === 'done') {
        finished = true;
        const done = value as unknown as DoneEvent;
        const origin = done.outcome === 'connected' ? cleanOrigin(done.origin) : null;
        update((s) => ({ ...s, pending: [] }));
        if (origin) {
          update((s) => ({ ...s, phase: 'connected', done, origin }));
          if (!mine.signal.aborted) connected.current(origin, typeof done.verifiedEmail === 'string' ? done.verifiedEmail : email);
        } else {
          const failure = done.outcome === 'connected' ? `the bridge reported a winner that is not an http origin (${String(done.origin)}): Visit again` : failureLine(done);
          update((s) => ({ ...s, phase: 'failed', done, failure }));
        }
      }
    };
    openBridgeStream(BRIDGE_PATHS.connect, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }), signal: mine.signal }, onEvent).then(
      () => {
        if (!finished) update((s) => ({ ...s, phase: 'failed', failure: `the bridge ended the visit to ${email} without an answer: Visit again` }));
      },
      (error: unknown) => {
        if (isAbort(error)) return;
        const failure = error instanceof Problem ? error.message : `the visit to ${email} failed: Visit again`;
        update((s) => ({ ...s, phase: 'failed', failure }));
      },
    );
  }, []);

  const cancel = useCallback(() => {
    controller.current?.abort();
    setState((s) => (s && (s.phase === 'looking' || s.phase === 'trying') ? { ...s, phase: 'cancelled' } : s));
  }, []);

  return { state, start, cancel };
}
