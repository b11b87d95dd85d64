/**
 * Protocol steps shared by the cases: register a fresh peer, announce a
 * broadcast, look it up, walk the list. A setup step that goes wrong
 * blocks the case (SetupFailure): the requirement the case checks was not
 * reached, and the report groups blocked cases under that root cause.
 */
import type { CaseContext, ConformanceCase } from '../runner/types.ts';
import type { IdentityOptions, SuiteIdentity } from '../runner/identities.ts';
import type { Reply } from '../runner/target.ts';
import { check, describeReply, fail, SetupFailure } from '../runner/verify.ts';
import { lookupPath, PATHS } from '../runner/endpoints.ts';
import { TransportFailure } from '../runner/target.ts';
import type { Timeline } from '../runner/time-control.ts';

export { lookupPath, PATHS };

export function defineCases(cases: ConformanceCase[]): ConformanceCase[] {
  return cases;
}


export interface Broadcast {
  port: number;
  addresses: string[];
  capabilities?: Record<string, unknown>;
}

/** A plausible broadcast: a private address first (local first), then public v4 and v6. */
export function sampleBroadcast(context: CaseContext): Broadcast {
  const n = 1 + (context.rng.nextUint32() % 250);
  return {
    port: 1024 + (context.rng.nextUint32() % 60000),
    addresses: [`192.168.${n}.${(n * 7) % 250 + 1}`, `203.0.113.${n}`, `2001:db8::${n.toString(16)}`],
  };
}

/**
 * Registers over a connection presenting the certificate being registered
 * (SPEC REG-13: proof of possession, which a relay may require, REG-14).
 * A key no TLS stack will present (RSA-1024: OpenSSL's default security
 * level refuses it) goes anonymously, and, if the relay requires
 * possession, again presenting a stand-in certificate: the body is what
 * such a case judges.
 */
export async function register(context: CaseContext, identity: SuiteIdentity, email = identity.email): Promise<Reply> {
  const body = { certificate: identity.certificatePem, email };
  if (presentable(identity)) return context.client.post(PATHS.register, body, identity);
  const anonymous = await context.client.post(PATHS.register, body, null);
  if (anonymous.status !== 401 || (anonymous.json as { code?: unknown } | undefined)?.code !== 'client_certificate_required') return anonymous;
  context.note(`the relay requires possession (REG-14) and TLS cannot present ${identity.recipe.keyType} keys: registered presenting a stand-in certificate`);
  return context.client.post(PATHS.register, body, context.identities.create({ email: context.newEmail('stand-in') }));
}

export function presentable(identity: SuiteIdentity): boolean {
  return identity.recipe.keyType !== 'rsa-1024';
}

/** A fresh identity (ECDSA P-256 unless told), registered; fails the case if the relay refuses. */
export async function registeredPeer(context: CaseContext, options: Partial<IdentityOptions> & { tag?: string } = {}): Promise<SuiteIdentity> {
  const identity = context.identities.create({ email: options.email ?? context.newEmail(options.tag), ...options });
  const reply = await setupStep('register', `register ${identity.email} → HTTP 200`, () => register(context, identity));
  const body = reply.json as { status?: unknown } | undefined;
  if (reply.status !== 200 || typeof body !== 'object' || body === null) throw new SetupFailure('register', `register ${identity.email} → HTTP 200 {"status":"registered",…}`, reply);
  return identity;
}

export interface TimedReply {
  reply: Reply;
  sentAtMs: number;
  receivedAtMs: number;
}

/** A setup request whose connection dropped blocks the case (the drop itself is recorded under ERR-5). */
async function setupStep(step: string, expected: string, send: () => Promise<Reply>): Promise<Reply> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof TransportFailure) throw new SetupFailure(step, expected, null, error.exchange.transportError);
    throw error;
  }
}

export async function timedPost(context: CaseContext, path: string, body: unknown, identity: SuiteIdentity): Promise<TimedReply> {
  const sentAtMs = context.time.nowMs();
  const reply = await context.client.post(path, body, identity);
  return { reply, sentAtMs, receivedAtMs: context.time.nowMs() };
}

/** Sends ready and fails the case unless it is accepted. */
export async function announce(context: CaseContext, identity: SuiteIdentity, broadcast: Broadcast = sampleBroadcast(context)): Promise<TimedReply & { broadcast: Broadcast; expiresInSeconds: number }> {
  const sentAtMs = context.time.nowMs();
  const reply = await setupStep('ready', `ready for ${identity.email} → HTTP 200`, () => context.client.post(PATHS.ready, broadcast, identity));
  const timed = { reply, sentAtMs, receivedAtMs: context.time.nowMs() };
  const body = timed.reply.json as { expires_in?: unknown } | undefined;
  if (timed.reply.status !== 200 || typeof body?.expires_in !== 'number') {
    throw new SetupFailure('ready', `ready for ${identity.email} → HTTP 200 {"status":"registered","expires_in":…}`, timed.reply);
  }
  return { ...timed, broadcast, expiresInSeconds: body.expires_in as number };
}

export async function livePeer(context: CaseContext, options: Partial<IdentityOptions> & { tag?: string } = {}, broadcast?: Broadcast) {
  const identity = await registeredPeer(context, options);
  const announced = await announce(context, identity, broadcast ?? sampleBroadcast(context));
  return { identity, ...announced };
}

/** What lookup shows of a broadcast: the part refusals and heartbeats must leave alone (ERR-7, HB-4). */
export type ShownBroadcast = { port: unknown; addresses: unknown; capabilities: unknown };

/**
 * The broadcast as lookup shows it now, to compare with after a request that
 * must change nothing. The lookup itself is not what such a case judges: a
 * failing one blocks the case.
 */
export async function lookupShown(context: CaseContext, observer: SuiteIdentity, email: string, when: string): Promise<ShownBroadcast> {
  const reply = await context.client.get(lookupPath(email), observer);
  const body = reply.json as Record<string, unknown> | undefined;
  if (reply.status !== 200 || typeof body !== 'object' || body === null) throw new SetupFailure('lookup', `lookup ${when} → HTTP 200 with the broadcast`, reply);
  return { port: body.port, addresses: body.addresses, capabilities: body.capabilities };
}

export function timelineOf(context: CaseContext, timed: TimedReply): Timeline {
  return context.time.start(context.client, timed.sentAtMs, timed.receivedAtMs);
}

export interface ListItem {
  email: string;
  port: unknown;
  addresses: unknown;
  last_seen: unknown;
  [field: string]: unknown;
}

export interface ListWalk {
  items: ListItem[];
  pages: Reply[];
  /** True when the walk stopped because no `rel="next"` link remained. */
  complete: boolean;
}

const MAX_PAGES = 500;

/**
 * Follows `Link: <…>; rel="next"` from the first page. Stops early once an
 * email sorts after `stopAfterEmail` (our emails sort near the front).
 */
export async function walkList(context: CaseContext, caller: SuiteIdentity, limit: number | null, stopAfterEmail: string | null = null): Promise<ListWalk> {
  let path: string | null = limit === null ? PATHS.list : `${PATHS.list}?limit=${limit}`;
  const walk: ListWalk = { items: [], pages: [], complete: false };
  while (path && walk.pages.length < MAX_PAGES) {
    const reply = await context.client.get(path, caller);
    if (reply.status !== 200 || !Array.isArray(reply.json)) fail(`list page ${walk.pages.length + 1}: HTTP 200 with a JSON array`, describeReply(reply));
    walk.pages.push(reply);
    walk.items.push(...(reply.json as ListItem[]));
    path = nextLink(reply);
    if (!path) walk.complete = true;
    const last = walk.items[walk.items.length - 1];
    if (stopAfterEmail && last && compareEmails(String(last.email), stopAfterEmail) > 0) break;
  }
  if (path && walk.pages.length >= MAX_PAGES) fail(`the list ends within ${MAX_PAGES} pages`, `still a rel="next" link after ${MAX_PAGES} pages`);
  return walk;
}

/**
 * The path of the `rel="next"` link, or null. RFC 8288: the target may be
 * relative to the request's URL (`<?cursor=x>`), and `rel` holds
 * space-separated relation types compared without regard to case.
 */
export function nextLink(reply: Reply): string | null {
  const header = reply.headers['link'];
  if (!header) return null;
  const base = new URL(reply.exchange.request.path, 'https://relay.invalid');
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^<([^>]*)>(.*)$/s.exec(part.trim());
    if (match && relationTypes(match[2] ?? '').includes('next')) {
      const url = new URL(match[1] ?? '', base);
      return `${url.pathname}${url.search}`;
    }
  }
  return null;
}

/** The relation types of a link's parameters (`; rel="prev next"` gives ["prev", "next"]). */
function relationTypes(params: string): string[] {
  const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
  return (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/** Byte order of the UTF-8 encodings (SPEC LIST-3). */
export function compareEmails(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** One input of a table-driven requirement: each becomes its own sub-case `REQ-N/slug[label]`. */
export interface TableInput<T> {
  label: string;
  value: T;
}

/** Labels an input by its JSON text (`absent` for undefined), unless given one: short, stable, shell-safe inside quotes. */
export function table<T>(values: Array<T | [label: string, value: T]>, labelled = false): Array<TableInput<T>> {
  return values.map((v) => (labelled ? { label: (v as [string, T])[0], value: (v as [string, T])[1] } : { label: labelOf(v), value: v as T }));
}

function labelOf(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value);
  return text.length <= 40 ? text : `${text.slice(0, 37)}…`;
}

/**
 * Every input of a table is tried and judged on its own (h2spec's numbered
 * sub-cases): one failing input never hides the next, and each has its own
 * result, exchanges and repro script.
 */
export function subCases<T>(
  base: { id: string; requirements: string[]; title: (label: string) => string; timing?: ConformanceCase['timing'] },
  inputs: Array<TableInput<T>>,
  run: (context: CaseContext, value: T, label: string) => Promise<void>,
): ConformanceCase[] {
  return inputs.map(({ label, value }) => ({
    id: `${base.id}[${label}]`,
    requirements: base.requirements,
    title: base.title(label),
    ...(base.timing ? { timing: base.timing } : {}),
    run: (context: CaseContext) => run(context, value, label),
  }));
}

/** Sends ready as the thing checked (not a setup step): a refusal fails `requirement`. */
export async function announceChecked(context: CaseContext, identity: SuiteIdentity, broadcast: Broadcast, what: string, requirement: string | null = null) {
  const timed = await timedPost(context, PATHS.ready, broadcast, identity);
  const body = timed.reply.json as { expires_in?: unknown } | undefined;
  check(timed.reply.status === 200 && typeof body?.expires_in === 'number', `${what}: HTTP 200 {"status":"registered","expires_in":…}`, describeReply(timed.reply), requirement);
  return { ...timed, broadcast, expiresInSeconds: body?.expires_in as number };
}
