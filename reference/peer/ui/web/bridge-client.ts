/**
 * Every request to our own /bridge/: adds the token header, never follows
 * redirects (so the header cannot travel anywhere else), and turns any
 * failure into a Problem with one readable line.
 */
import { BRIDGE_TOKEN_HEADER } from '../bridge-contract.ts';
import type { BridgeError } from '../bridge-contract.ts';
import { BRIDGE_GONE, isAbort, joinHint, NO_TOKEN, oneLine, Problem, STALE_TOKEN } from './problem.ts';
import { bridgeToken } from './token.ts';

/**
 * The bridge refused our token (401 token_required): the peer was
 * restarted and printed a new link; this tab's token is from the old run.
 * Nothing this page shows is current any more, so the page listens here
 * and clears itself down to one line.
 */
const staleListeners = new Set<() => void>();
let stale = false;

export function tokenIsStale(): boolean {
  return stale;
}

export function onStaleToken(listener: () => void): () => void {
  staleListeners.add(listener);
  return () => staleListeners.delete(listener);
}

function markStale(): void {
  if (stale) return;
  stale = true;
  for (const listener of [...staleListeners]) listener();
}

export async function bridgeFetch(path: string, init: RequestInit = {}): Promise<Response> {
  if (!path.startsWith('/bridge/')) throw new Problem(`not a bridge path: ${path}`, 'bad_request');
  const token = bridgeToken();
  if (token === null) throw new Problem(NO_TOKEN, 'token_missing');
  if (stale) throw new Problem(STALE_TOKEN, 'stale_token');
  const headers = new Headers(init.headers);
  headers.set(BRIDGE_TOKEN_HEADER, token);
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer' });
  } catch (error) {
    if (isAbort(error)) throw error;
    throw new Problem(BRIDGE_GONE, 'bridge_gone');
  }
  if (!response.ok) {
    const problem = await problemFrom(response);
    if (response.status === 401 && problem.code === 'token_required') {
      markStale();
      throw new Problem(STALE_TOKEN, 'stale_token');
    }
    throw problem;
  }
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
