/**
 * Verifiers: each states what the spec expects and what the relay did, as
 * protocol text (`HTTP 409 {"code":"email_taken"}`), and throws a
 * CaseFailure when they differ. The runner keeps the exchanges.
 */
import type { Reply } from './target.ts';

export class CaseFailure extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`expected: ${expected}\nactual: ${actual}`);
    this.name = 'CaseFailure';
  }
}

export class CaseSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CaseSkip';
  }
}

const SHOWN_BODY_CHARS = 300;

export function describeReply(reply: Reply): string {
  const body = reply.text.length > SHOWN_BODY_CHARS ? `${reply.text.slice(0, SHOWN_BODY_CHARS)}…` : reply.text;
  return `HTTP ${reply.status} ${body}`.trim();
}

export function fail(expected: string, actual: string): never {
  throw new CaseFailure(expected, actual);
}

export function check(condition: boolean, expected: string, actual: string): void {
  if (!condition) fail(expected, actual);
}

/** The relay answered `status` with the error body `{"error": string, "code": code}`. */
export function expectError(reply: Reply, status: number, code: string, context = ''): void {
  const expected = `${context ? `${context}: ` : ''}HTTP ${status} {"code":"${code}"}`;
  const body = reply.json as { code?: unknown; error?: unknown } | undefined;
  if (reply.status !== status || !body || body.code !== code || typeof body.error !== 'string') fail(expected, describeReply(reply));
}

export function expectStatus(reply: Reply, status: number, context = ''): Record<string, unknown> {
  const expected = `${context ? `${context}: ` : ''}HTTP ${status} with a JSON object body`;
  const body = reply.json;
  if (reply.status !== status || typeof body !== 'object' || body === null || Array.isArray(body)) fail(expected, describeReply(reply));
  return body as Record<string, unknown>;
}

export function expectArray(reply: Reply, context = ''): unknown[] {
  const expected = `${context ? `${context}: ` : ''}HTTP 200 with a JSON array body`;
  if (reply.status !== 200 || !Array.isArray(reply.json)) fail(expected, describeReply(reply));
  return reply.json as unknown[];
}

/** Any status below 500 with a response: what robustness cases demand. */
export function expectNot5xx(reply: Reply, context = ''): void {
  check(reply.status < 500, `${context ? `${context}: ` : ''}a 4xx or 2xx answer, never 5xx`, describeReply(reply));
}


export const isInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);
export const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
/**
 * The same JSON value: objects compare by members, not member order (a
 * relay built on Go maps, jsonb or sort_keys answers the same object with
 * its keys in another order, and RFC 8259 gives order no meaning).
 */
export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical((value as Record<string, unknown>)[key]);
  return out;
}
