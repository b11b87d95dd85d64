/**
 * A mutant is the reference relay with one behaviour broken on purpose,
 * built through the relay's seams: `wrapHandler` (decorate or rebuild the
 * core with a different store or certificate inspector) and `principalOf`
 * (how the edge identifies callers). The suite must name the broken
 * requirement; the kill-matrix test checks it does.
 */
import type { RelayCore, RelayCoreDeps } from '../../reference/relay/core/relay-core.ts';
import type { RelayHandler, RelayRequest, RelayResponse } from '../../reference/relay/core/types.ts';
import type { StartRelayOptions } from '../../reference/relay/http/start-relay.ts';
import type { AuthMode } from '../runner/target.ts';

export interface MutantBuild {
  relayOptions?: Partial<StartRelayOptions>;
  wrap?: (core: RelayCore, deps: RelayCoreDeps) => RelayHandler;
  principalOf?: StartRelayOptions['principalOf'];
}

export interface Mutant {
  name: string;
  /** The requirement(s) this mutant violates on purpose. */
  breaks: string[];
  description: string;
  /** Cases to run against it (default: the sections of `breaks`), for mutants whose defect shows elsewhere. */
  only?: string[];
  /**
   * How the suite reaches it (default: mutual TLS). A header-auth mutant is
   * started behind the suite as its trusted proxy (`--cert-header NAME
   * --trusted-proxy` the suite's loopback address) and judged against the
   * reference started the same way.
   */
  target?: { auth: AuthMode };
  /**
   * Reruns alone of a failing case (default 2: only failures on every
   * attempt count). Fewer only for a case whose attempt takes a minute and
   * whose failure no load can fake (ROB-1: a socket still open after 60 s,
   * which the reference closes after 10 s); with 0, the one failure counts.
   */
  reruns?: number;
  /** Fresh state per relay instance. */
  build(): MutantBuild;
}

export type Next = (request: RelayRequest) => Promise<RelayResponse>;

/** The core's dependencies: mutants rebuild the core around a changed store or inspector. */
export function depsOf(core: RelayCore): RelayCoreDeps {
  return core.deps;
}

export function around(handler: RelayHandler, fn: (request: RelayRequest, next: Next) => Promise<RelayResponse>): RelayHandler {
  return { handle: (request) => fn(request, (r) => handler.handle(r)) };
}

/** Decorates answers to one path (any path when null). */
export function onResponse(path: string | null, fn: (response: RelayResponse, request: RelayRequest) => RelayResponse | Promise<RelayResponse>): MutantBuild {
  return {
    wrap: (core) =>
      around(core, async (request, next) => {
        const response = await next(request);
        return path === null || request.path === path ? fn(response, request) : response;
      }),
  };
}

/** Rewrites the JSON body of requests to one path before the core sees it. */
export function onRequestBody(path: string, fn: (body: Record<string, unknown>) => Record<string, unknown>): MutantBuild {
  return {
    wrap: (core) =>
      around(core, (request, next) => {
        if (request.path !== path) return next(request);
        const body = jsonObject(request.bodyText);
        return next(body ? { ...request, bodyText: JSON.stringify(fn(body)) } : request);
      }),
  };
}

export function jsonObject(text: string | null): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function codeOf(response: RelayResponse): string | undefined {
  return (response.body as { code?: string } | null)?.code;
}

export function errorResponse(status: number, code: string, error = 'mutant'): RelayResponse {
  return { status, body: { error, code } };
}

export const okResponse = (body: unknown): RelayResponse => ({ status: 200, body });
