/** The lookup, each attempt as it arrives, then the winner or the failure line. */
import type { Ref } from 'preact';
import type { AttemptView } from '../bridge-contract.ts';
import { socketText, words } from './format.ts';
import { lineClass, MessageText } from './message-text.tsx';
import { MarkedText, PeerText } from './peer-text.tsx';
import { oneLine } from './problem.ts';
import type { VisitState } from './visit-state.ts';

export function outcomeWords(attempt: AttemptView): string {
  switch (attempt.outcome) {
    case 'ok':
      return 'connected';
    case 'wrong_host':
      return `wrong host (answered as ${attempt.seenEmail ? oneLine(attempt.seenEmail, 120) : 'someone else'})`;
    case 'refused':
      return 'refused';
    case 'timeout':
      return 'timeout';
    case 'http_error':
      return 'HTTP error';
    case 'cancelled':
      return 'cancelled (another address answered first)';
    default:
      return words(attempt.outcome);
  }
}

function phaseLine(state: VisitState) {
  const tried = state.attempts.length;
  const total = state.lookup?.addresses.length ?? 0;
  const who = <PeerText text={state.email} />;
  switch (state.phase) {
    case 'looking':
      return <>Looking up {who} at the relay…</>;
    case 'trying':
      return total > 0 ? <>Trying the addresses of {who}: {tried} of {total} tried so far…</> : <>Trying {who}…</>;
    case 'connected':
      return <>Found a Peer Server answering as {who}.</>;
    case 'failed':
      return <>Could not connect to {who}.</>;
    case 'cancelled':
      return <>Visit cancelled.</>;
  }
}

interface Props {
  state: VisitState | null;
  headingRef: Ref<HTMLHeadingElement>;
  onAgain(email: string): void;
  onCancel(): void;
}

export function VisitSection({ state, headingRef, onAgain, onCancel }: Props) {
  const running = state?.phase === 'looking' || state?.phase === 'trying';
  return (
    <section id="visit" class="card" aria-labelledby="visit-title">
      <h2 id="visit-title" tabIndex={-1} ref={headingRef}>
        Visit
      </h2>
      {!state ? (
        <p class="note">Choose “Visit” on a friend or an online peer to look them up and connect.</p>
      ) : (
        <>
          <div class="toolbar">
            <p class="visit-who">
              Visiting{' '}
              <strong class="email">
                <PeerText text={state.email} />
              </strong>
            </p>
            {running ? (
              <button type="button" onClick={onCancel}>
                Cancel
              </button>
            ) : (
              <button type="button" id="visit-again" onClick={() => onAgain(state.email)}>
                Visit again
              </button>
            )}
          </div>
          <p class="note" aria-live="polite">
            {phaseLine(state)}
          </p>
          {state.lookup ? (
            <div id="lookup" class="lookup">
              <p>
                The relay announced port <span class="mono">{state.lookup.port}</span> and {state.lookup.addresses.length === 1 ? '1 address' : `${state.lookup.addresses.length} addresses`}
                {state.lookup.addresses.length > 0 ? ', tried in this order:' : '.'}
              </p>
              {state.lookup.addresses.length > 0 ? (
                <ol class="announced mono">
                  {state.lookup.addresses.map((address, i) => (
                    <li key={`${i}-${address}`} class="wrap-any">
                      <PeerText text={address} />
                    </li>
                  ))}
                </ol>
              ) : null}
            </div>
          ) : null}
          <h3 class="sub">Attempts</h3>
          <ol id="attempts" class="attempts">
            {state.attempts.map((attempt, i) => (
              <li key={i} data-index={attempt.index} data-outcome={attempt.outcome} class={`attempt outcome-${attempt.outcome.replace(/[^a-z_]/gi, '')}`}>
                <PeerText class="socket mono wrap-any" text={socketText(attempt.address, attempt.port)} />
                <span class="outcome">
                  <MarkedText text={outcomeWords(attempt)} />
                </span>
                <span class="elapsed">{Math.round(attempt.elapsedMs)} ms</span>
                {attempt.detail ? (
                  <span class="detail">
                    <MarkedText text={oneLine(attempt.detail, 400)} />
                  </span>
                ) : null}
              </li>
            ))}
          </ol>
          {state.pending.length > 0 ? (
            <ul class="attempts pending" aria-label="Attempts in progress">
              {state.pending.map((p) => (
                <li key={p.index} data-pending-index={p.index} class="attempt outcome-pending">
                  <PeerText class="socket mono wrap-any" text={socketText(p.address, p.port)} />
                  <span class="outcome">trying…</span>
                </li>
              ))}
            </ul>
          ) : null}
          {state.attempts.length === 0 && state.pending.length === 0 && !running ? <p class="note">No address was tried.</p> : null}
          {state.phase === 'connected' && state.origin ? (
            <p id="winner" class="winner">
              {/* /api/health is a plain-HTTP claim, not a proof: say what answered, not who it is. */}
              <PeerText class="mono wrap-any" text={state.origin} /> answered as{' '}
              <strong class="email">
                <PeerText text={typeof state.done?.verifiedEmail === 'string' ? state.done.verifiedEmail : state.email} />
              </strong>
              {typeof state.done?.elapsedMs === 'number' ? ` in ${Math.round(state.done.elapsedMs)} ms` : ''}.
            </p>
          ) : null}
          {state.phase === 'failed' && state.failure ? (
            <p id="visit-error" class={lineClass('error-line', state.failure)} role="alert">
              <MessageText text={state.failure} />
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
