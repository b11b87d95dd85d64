/**
 * Every request to our own /bridge/: adds the token header, never follows
 * redirects (so the header cannot travel anywhere else), and turns any
 * failure into a Problem with one readable line.
 */
import { BRIDGE_TOKEN_HEADER } from '../bridge-contract.ts';
import type { BridgeError } from '../bridge-contract.ts';
import { BRIDGE_GONE, isAbort, joinHint, NO_TOKEN, oneLine, Problem } from './problem.ts';
import { bridgeToken } from './token.ts';

export async function bridgeFetch(path: string, init: RequestInit = {}): Promise<Response> {
  if (!path.startsWith('/bridge/')) throw new Problem(`not a bridge path: ${path}`, 'bad_request');
  const token = bridgeToken();
  if (token === null) throw new Problem(NO_TOKEN, 'token_missing');
  const headers = new Headers(init.headers);
  headers.set(BRIDGE_TOKEN_HEADER, token);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer' });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Problem(BRIDGE_GONE, 'bridge_gone');
  }
  if (!response.ok) throw await problemFrom(response);
  return response;
}

export async function bridgeJson<T>(path: string, init: RequestInit = {}, signal?: AbortSignal): Promise<T> {
  const response = await bridgeFetch(path, signal ? { ...init, signal } : init);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Problem(BRIDGE_GONE, 'bridge_gone');
  }
}

export function postJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return bridgeJson<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }, signal);
}

const FALLBACKS: Record<string, string> = {
  relay_unreachable: 'cannot reach the relay: check it is running',
  token_required: 'the bridge did not accept this page’s token: open the link relaylab printed again',
  host_forbidden: 'the bridge refused this address: open the link relaylab printed (it uses 127.0.0.1)',
  peer_not_online: 'that peer is not online at the relay: ask them to start their peer',
  no_friends_list: 'there is no friends list yet: add a friend to start one',
};

async function problemFrom(response: Response): Promise<Problem> {
  let body: Partial<BridgeError> = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') body = parsed as Partial<BridgeError>;
  } catch {
    // not JSON: fall through to the status line
  }
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  const error = typeof body.error === 'string' && body.error.trim() ? body.error : FALLBACKS[code] ?? `the bridge answered HTTP ${response.status}`;
  const hint = typeof body.hint === 'string' ? body.hint : null;
  return new Problem(oneLine(joinHint(error, hint)), code);
}
