/**
 * Verifiers: each states what the spec expects and what the relay did, as
 * protocol text (`HTTP 409 {"code":"email_taken"}`), records the check
 * under the requirement it verifies (the case's first unless named), and
 * throws a CaseFailure when the relay is wrong. A right status with another
 * error code or body shape is non-strict (ERR-1), recorded without stopping
 * the case. The runner keeps the exchanges.
 */
import { currentRecorder, ERROR_BODY_REQUIREMENT, ROBUSTNESS_REQUIREMENT } from './recorder.ts';
import type { Reply } from './target.ts';

export class CaseFailure extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
    /** The requirement the failed check verifies; null: the case's first. */
    readonly requirement: string | null = null,
  ) {
    super(`expected: ${expected}\nactual: ${actual}`);
    this.name = 'CaseFailure';
  }
}

/** The requirement cannot be checked here; the reason says what would enable it. */
export class CaseSkip extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'CaseSkip';
  }
}

/** A conditional requirement ("when offered") whose condition is absent: nothing to check, nothing missed. */
export class NotApplicable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NotApplicable';
  }
}

/** A step the case needs (register, ready) failed: the case's own requirement could not be checked. */
export class SetupFailure extends Error {
  constructor(
    readonly step: string,
    readonly expected: string,
    /** null: the connection dropped before any answer. */
    readonly reply: Reply | null,
    readonly transportError: string | null = null,
  ) {
    super(`setup: ${step}: expected ${expected}, got ${reply ? describeReply(reply) : `no response: ${transportError}`}`);
    this.name = 'SetupFailure';
  }
}

const SHOWN_BODY_CHARS = 300;

export function describeReply(reply: Reply): string {
  const body = reply.text.length > SHOWN_BODY_CHARS ? `${reply.text.slice(0, SHOWN_BODY_CHARS)}…` : reply.text;
  return `HTTP ${reply.status} ${body}`.trim();
}

export function fail(expected: string, actual: string, requirement: string | null = null): never {
  throw new CaseFailure(expected, actual, requirement);
}

export function check(condition: boolean, expected: string, actual: string, requirement: string | null = null): void {
  if (!condition) fail(expected, actual, requirement);
  currentRecorder()?.pass(requirement ?? undefined);
}

const prefix = (context: string): string => (context ? `${context}: ` : '');

/**
 * The relay answered `status` with the error body `{"error": string, "code": code}`.
 * The status is the requirement (clients branch on it); another code or
 * body shape with the right status is a non-strict finding under ERR-1.
 */
export function expectError(reply: Reply, status: number, code: string, context = '', requirement: string | null = null): void {
  const expected = `${prefix(context)}HTTP ${status} {"code":"${code}"}`;
  if (reply.status !== status) fail(expected, describeReply(reply), requirement);
  currentRecorder()?.pass(requirement ?? undefined);
  const body = reply.json as { code?: unknown; error?: unknown } | undefined;
  const rightBody = typeof body === 'object' && body !== null && body.code === code && typeof body.error === 'string';
  if (!rightBody) currentRecorder()?.find('non-strict', ERROR_BODY_REQUIREMENT, `${prefix(context)}HTTP ${status} {"error": <string>, "code":"${code}"}`, describeReply(reply));
  else currentRecorder()?.pass(ERROR_BODY_REQUIREMENT);
}

export function expectStatus(reply: Reply, status: number, context = '', requirement: string | null = null): Record<string, unknown> {
  const expected = `${prefix(context)}HTTP ${status} with a JSON object body`;
  const body = reply.json;
  if (reply.status !== status || typeof body !== 'object' || body === null || Array.isArray(body)) fail(expected, describeReply(reply), requirement);
  currentRecorder()?.pass(requirement ?? undefined);
  return body as Record<string, unknown>;
}

export function expectArray(reply: Reply, context = '', requirement: string | null = null): unknown[] {
  const expected = `${prefix(context)}HTTP 200 with a JSON array body`;
  if (reply.status !== 200 || !Array.isArray(reply.json)) fail(expected, describeReply(reply), requirement);
  currentRecorder()?.pass(requirement ?? undefined);
  return reply.json as unknown[];
}

/** Any status below 500 with a response: what robustness cases demand (ERR-5). */
export function expectNot5xx(reply: Reply, context = ''): void {
  check(reply.status < 500, `${prefix(context)}a 4xx or 2xx answer, never 5xx`, describeReply(reply), ROBUSTNESS_REQUIREMENT);
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
