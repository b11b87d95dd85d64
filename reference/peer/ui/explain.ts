/**
 * One readable line and what to do, for every way finding a peer fails.
 * The page shows `error: hint`; the codes are stable.
 */
import type { ConnectOutcome } from '../api/connect-to-peer.ts';
import type { RelayCallError } from '../api/relay-peers.ts';
import type { BridgeError } from './bridge-contract.ts';

export function explainRelayError(error: RelayCallError, relayUrl: string): BridgeError {
  // The client's message already names the relay and the cause ("cannot reach the relay at X: connection refused").
  if (error.code === 'relay_unreachable') return { code: 'relay_unreachable', error: error.message, hint: 'check the relay is running and that --relay and --relay-ca are right' };
  return { code: 'relay_error', error: error.message, hint: 'the relay refused or garbled the call; try again, or ask its operator' };
}

export function explainConnect(outcome: Exclude<ConnectOutcome, { kind: 'connected' }>, email: string, relayUrl: string, attempts: string[] = []): BridgeError {
  switch (outcome.kind) {
    case 'not_found':
      return { code: 'peer_not_online', error: `${email} is not online at the relay`, hint: 'ask them to start their peer (relaylab peer), then Visit again' };
    case 'unreachable':
      return {
        code: 'peer_unreachable',
        error: `${email} is listed, but none of its ${attempts.length} address(es) answered as ${email} (${attempts.join('; ')})`,
        hint: 'their peer may have just stopped, or sits behind a NAT without a forward: try again in a minute',
      };
    case 'error':
      if (outcome.code === 'relay_unreachable') return { code: 'relay_unreachable', error: outcome.message || `cannot reach the relay at ${relayUrl}`, hint: 'check the relay is running and that --relay and --relay-ca are right' };
      if (outcome.code === 'lookup_unauthorized') return { code: 'relay_error', error: 'the relay does not know our certificate (401)', hint: 'restart the peer so it registers again' };
      if (outcome.code === 'cancelled') return { code: 'cancelled', error: 'the visit was cancelled', hint: 'press Visit again' };
      return { code: 'relay_error', error: `the lookup of ${email} failed (${outcome.code}): ${outcome.message}`, hint: 'try again, or ask the relay operator' };
  }
}
