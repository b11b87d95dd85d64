/**
 * The honest population: each client has its own ECDSA identity and its own
 * undici Agent presenting that certificate over mutual TLS, and loops
 * register (until it holds) → ready → heartbeat → lookup → list. Every answer
 * is recorded; what each client wrote is kept so the soak can check what the
 * relay answers and what PostgreSQL holds afterwards.
 */
import { Agent, request } from 'undici';
import { newPeerIdentity, type Identity } from '../../reference/identity/identity-files.ts';
import { pinnedTrust } from '../../reference/identity/pinning.ts';
import { nextInt, SeededRng } from '../../reference/shared/rng.ts';
import { now, type Recorder, type Source } from './record.ts';

export interface ReadyAttempt {
  port: number;
  status: number | null;
  broadcastId?: string;
  startMs: number;
  endMs: number;
}

export interface HonestClient {
  index: number;
  identity: Identity;
  agent: Agent;
  /** Set by a 200 to register (the id) or 'ambiguous' when an earlier unanswered attempt turned out to have landed (409 email_taken). */
  registered: { id: string | null; how: '200' | 'landed-earlier' } | null;
  registerAttempts: number;
  readies: ReadyAttempt[];
  /** Every port this client ever sent in a ready: any of them may be what the relay holds. */
  portsSent: Set<number>;
  /** Latest expiry (performance.now() based, ms) a 200 ready or heartbeat promised. */
  promisedUntilMs: number;
}

export interface Reply {
  status: number | null;
  json: any;
  error?: string;
}

export async function send(
  recorder: Recorder,
  source: Source,
  op: string,
  url: string,
  agent: Agent,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD' | 'OPTIONS',
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const startMs = now();
  try {
    const response = await request(new URL(path, url), {
      method,
      dispatcher: agent,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      ...(body !== undefined ? { body } : {}),
    });
    const text = await response.body.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const code = json && typeof json === 'object' && typeof json.code === 'string' ? json.code : undefined;
    recorder.add({ source, op, method, status: response.statusCode, ...(code ? { code } : {}), startMs, endMs: now() });
    return { status: response.statusCode, json };
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const detail = `${e.code ?? e.name}: ${e.message}`.slice(0, 200);
    recorder.add({ source, op, method, status: null, error: detail, startMs, endMs: now() });
    return { status: null, json: undefined, error: detail };
  }
}

export function makeHonestClients(count: number, tag: string, relayCaPem: string): HonestClient[] {
  const clients: HonestClient[] = [];
  for (let i = 0; i < count; i += 1) {
    const identity = newPeerIdentity(`soak-${tag}-${i}@example.test`, Date.now(), 'ecdsa-p256');
    const agent = new Agent({
      connect: { ...pinnedTrust(relayCaPem), cert: identity.certificatePem, key: identity.privateKeyPem },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    clients.push({ index: i, identity, agent, registered: null, registerAttempts: 0, readies: [], portsSent: new Set(), promisedUntilMs: 0 });
  }
  return clients;
}

export interface HonestChecks {
  /** lookup/list answers naming an honest peer with a port that peer never sent. */
  wrongAnswers: number;
  wrongAnswerSamples: string[];
  lookups200: number;
  listItemsChecked: number;
}

export async function runHonestClient(
  client: HonestClient,
  all: HonestClient[],
  url: string,
  recorder: Recorder,
  seed: number,
  ttlSeconds: number,
  stop: { stopped: boolean },
  checks: HonestChecks,
): Promise<void> {
  const rng = new SeededRng((seed ^ (0x9e37 * (client.index + 1))) >>> 0);
  const byEmail = new Map(all.map((c) => [c.identity.email, c]));
  let ambiguousRegister = false;
  let portCounter = 1024 + client.index * 2000;
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  while (!stop.stopped) {
    if (!client.registered) {
      client.registerAttempts += 1;
      const reply = await send(recorder, 'honest', 'register', url, client.agent, 'POST', '/api/relay/register', JSON.stringify({ certificate: client.identity.certificatePem, email: client.identity.email }));
      if (reply.status === 200) client.registered = { id: String(reply.json?.id), how: '200' };
      else if (reply.status === 409 && ambiguousRegister) client.registered = { id: null, how: 'landed-earlier' };
      else {
        if (reply.status === null || reply.status >= 500) ambiguousRegister = true;
        await sleep(200 + nextInt(rng, 300));
        continue;
      }
    }
    const port = (portCounter += 1);
    client.portsSent.add(port);
    const attempt: ReadyAttempt = { port, status: null, startMs: now(), endMs: 0 };
    client.readies.push(attempt);
    const ready = await send(recorder, 'honest', 'ready', url, client.agent, 'POST', '/api/relay/broadcast/ready', JSON.stringify({ port, addresses: ['127.0.0.1', '::1'], capabilities: { soak: true, n: port } }));
    attempt.status = ready.status;
    attempt.endMs = now();
    if (ready.status === 200) {
      attempt.broadcastId = String(ready.json?.broadcast_id);
      client.promisedUntilMs = Math.max(client.promisedUntilMs, attempt.startMs + ttlSeconds * 1000);
    }
    if (stop.stopped) break;
    const hbStart = now();
    const hb = await send(recorder, 'honest', 'heartbeat', url, client.agent, 'POST', '/api/relay/broadcast/heartbeat');
    if (hb.status === 200) client.promisedUntilMs = Math.max(client.promisedUntilMs, hbStart + ttlSeconds * 1000);
    if (stop.stopped) break;
    const peer = all[nextInt(rng, all.length)] as HonestClient;
    const lookup = await send(recorder, 'honest', 'lookup', url, client.agent, 'GET', `/api/relay/broadcast/lookup?email=${encodeURIComponent(peer.identity.email)}`);
    if (lookup.status === 200) {
      checks.lookups200 += 1;
      if (lookup.json?.email !== peer.identity.email || !peer.portsSent.has(lookup.json?.port)) {
        checks.wrongAnswers += 1;
        if (checks.wrongAnswerSamples.length < 5) checks.wrongAnswerSamples.push(`lookup ${peer.identity.email} → ${JSON.stringify(lookup.json).slice(0, 200)}`);
      }
    }
    if (stop.stopped) break;
    const list = await send(recorder, 'honest', 'list', url, client.agent, 'GET', '/api/relay/broadcast/list?limit=100');
    if (list.status === 200 && Array.isArray(list.json)) {
      for (const item of list.json) {
        const owner = byEmail.get(item?.email);
        if (!owner) continue; // fuzzers may register and broadcast too
        checks.listItemsChecked += 1;
        if (owner === client || !owner.portsSent.has(item.port)) {
          checks.wrongAnswers += 1;
          if (checks.wrongAnswerSamples.length < 5) checks.wrongAnswerSamples.push(`list item ${JSON.stringify(item).slice(0, 200)} (asked by ${client.identity.email})`);
        }
      }
    }
    await sleep(50 + nextInt(rng, 150));
  }
}
