/**
 * The real RelayPort (core/ports.ts) over the lead's RelayClient: promises
 * become callbacks, a thrown RelayUnreachableError (or anything else thrown)
 * becomes `{kind: 'unreachable'}`. Cancelling drops the answer; the HTTP
 * request itself runs to its own timeout.
 */
import type { Cancellable, ReadyPayload, RelayPort, RelayReply } from '../core/ports.ts';
import type { RelayClient } from './relay-client.ts';

type ClientCalls = Pick<RelayClient, 'register' | 'ready' | 'heartbeat' | 'lookup'> & Partial<Pick<RelayClient, 'goodbye'>>;

export function relayPortOver(client: ClientCalls): RelayPort {
  return {
    register: (onReply) => settle(() => client.register(), onReply),
    ready: (payload: ReadyPayload, onReply) => settle(() => client.ready(payload), onReply),
    heartbeat: (onReply) => settle(() => client.heartbeat(), onReply),
    lookup: (email, onReply) => settle(() => client.lookup(email), onReply),
    ...(client.goodbye ? { goodbye: (onReply: (reply: RelayReply) => void) => settle(() => client.goodbye!(), onReply) } : {}),
  };
}

function settle(call: () => Promise<{ status: number; body: unknown }>, onReply: (reply: RelayReply) => void): Cancellable {
  let cancelled = false;
  let promise: Promise<{ status: number; body: unknown }>;
  try {
    promise = call();
  } catch (error) {
    promise = Promise.reject(error);
  }
  promise.then(
    (reply) => !cancelled && onReply({ kind: 'response', status: reply.status, body: reply.body }),
    (error: unknown) => !cancelled && onReply({ kind: 'unreachable', message: (error as Error)?.message ?? String(error) }),
  );
  return {
    cancel() {
      cancelled = true;
    },
  };
}

/** Promise form of one port call, for the CLI's one-shot commands. */
export function ask<T>(start: (done: (value: T) => void) => unknown): Promise<T> {
  return new Promise<T>((resolve) => {
    start(resolve);
  });
}
