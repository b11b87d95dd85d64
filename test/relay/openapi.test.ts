/**
 * The OpenAPI 3.1 document against the reference relay's real answers: a
 * relay over HTTPS with real client certificates serves it at
 * /api/openapi.json; every schema in it compiles (ajv, draft 2020-12,
 * strict, formats); every endpoint is exercised, successes and refusals,
 * and each answer's status and body must be what the document says for
 * that path, method and status. docs/openapi.json must be the same
 * document (run `npx tsx build/write-openapi.ts` when this says stale).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorObject } from 'ajv/dist/2020.js';
import { createAjv } from '../../reference/shared/ajv.ts';
import { openApiDocumentText } from '../../reference/relay/api-schema/openapi-document.ts';
import { startRelayFixture, uniqueEmail, type RelayFixture } from '../support/relay-fixture.ts';
import type { Identity } from '../../reference/identity/identity-files.ts';

type Json = Record<string, any>;
type Answer = { status: number; body: any; headers: Record<string, unknown> };

const DOCS_FILE = join(import.meta.dirname, '../../docs/openapi.json');
const BROADCAST = { port: 4242, addresses: ['192.0.2.10', '2001:db8::1'], capabilities: { proto: 'v1', n: [1, 2] } };

let relay: RelayFixture;
let plainRelay: RelayFixture;
let doc: Json;
const ajv = createAjv({ strict: true, allErrors: true });
/** path method status, for every answer checked. */
const seen = new Set<string>();

beforeAll(async () => {
  relay = await startRelayFixture({ ttlSeconds: 3600, testMode: true, extensions: ['renew', 'goodbye', 'observed-address'] });
  plainRelay = await startRelayFixture({ ttlSeconds: 3600 });
  const served = await relay.raw('GET', '/api/openapi.json');
  expect(served.status).toBe(200);
  doc = served.body as Json;
});
afterAll(async () => {
  await relay?.close();
  await plainRelay?.close();
});

function resolve(schema: Json): Json {
  const ref = schema.$ref as string | undefined;
  if (!ref) return schema;
  const name = ref.replace('#/components/schemas/', '');
  const target = doc.components.schemas[name];
  if (!target) throw new Error(`dangling ${ref}`);
  return target as Json;
}

const compiled = new Map<Json, ReturnType<typeof ajv.compile>>();
function validatorOf(schema: Json) {
  const resolved = resolve(schema);
  let validate = compiled.get(resolved);
  if (!validate) {
    validate = ajv.compile(resolved);
    compiled.set(resolved, validate);
  }
  return validate;
}

const line = (e: ErrorObject) => `${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`;

/** The answer must be one the document gives for this path, method and status, body and all. */
function conforms(path: string, method: string, answer: Answer, expectedStatus: number): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(expectedStatus);
  const operation = doc.paths[path]?.[method.toLowerCase()] as Json | undefined;
  expect(operation, `${method} ${path} is not in the document`).toBeDefined();
  const response = operation!.responses[String(answer.status)] as Json | undefined;
  expect(response, `${method} ${path} documents no ${answer.status} answer`).toBeDefined();
  const validate = validatorOf(response!.content['application/json'].schema as Json);
  const ok = validate(answer.body);
  expect(ok ? [] : (validate.errors ?? []).map(line), `${method} ${path} ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`).toEqual([]);
  seen.add(`${path} ${method.toLowerCase()} ${answer.status}`);
}

async function registered(f: RelayFixture, email = uniqueEmail()): Promise<Identity> {
  const identity = f.identity(email);
  const answer = await f.raw('POST', '/api/relay/register', { identity, body: JSON.stringify({ certificate: identity.certificatePem, email: identity.email }) });
  conforms('/api/relay/register', 'POST', answer, 200);
  return identity;
}

describe('the OpenAPI document (/api/openapi.json, docs/openapi.json)', () => {
  it('is a valid OpenAPI 3.1 document, the same as docs/openapi.json', () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info?.title).toBe('string');
    expect(typeof doc.info?.version).toBe('string');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(0);
    expect(doc.components.securitySchemes.mutualTLS.type).toBe('mutualTLS');
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      expect(path).toMatch(/^\//);
      for (const [method, op] of Object.entries(item as Json)) {
        expect(['get', 'post']).toContain(method);
        expect(op.responses['200'], `${method} ${path}`).toBeDefined();
        for (const [status, response] of Object.entries(op.responses as Json)) {
          expect(status).toMatch(/^[1-5][0-9][0-9]$/);
          expect(typeof response.description).toBe('string');
        }
      }
    }
    const stale = 'docs/openapi.json is stale: run npx tsx build/write-openapi.ts';
    expect(readFileSync(DOCS_FILE, 'utf8'), stale).toBe(openApiDocumentText());
    expect(JSON.parse(readFileSync(DOCS_FILE, 'utf8')), stale).toEqual(doc);
  });

  it('compiles every schema in it (draft 2020-12, strict, formats)', () => {
    let count = 0;
    for (const schema of Object.values(doc.components.schemas as Json)) {
      validatorOf(schema as Json);
      count++;
    }
    for (const item of Object.values(doc.paths as Json)) {
      for (const op of Object.values(item as Json)) {
        for (const p of op.parameters ?? []) validatorOf(p.schema as Json), count++;
        for (const response of Object.values(op.responses as Json)) validatorOf(response.content['application/json'].schema as Json), count++;
      }
    }
    expect(count).toBeGreaterThan(40);
  });

  it('marks the EXT and TEST profiles, and which operations need no certificate', () => {
    const op = (path: string, method: string) => doc.paths[path][method] as Json;
    expect(op('/api/relay/renew', 'post')['x-relaylab-profile']).toBe('EXT');
    expect(op('/api/relay/broadcast/goodbye', 'post')['x-relaylab-extension']).toBe('goodbye');
    expect(op('/api/test/clock', 'post')['x-relaylab-test-mode-only']).toBe(true);
    expect(op('/api/health', 'get').security).toEqual([]);
    expect(op('/api/openapi.json', 'get').security).toEqual([]);
    expect(doc.security).toEqual([{ mutualTLS: [] }]);
  });
});

describe('the reference relay answers as the document says', () => {
  it('health and the document itself, without a client certificate; other methods 405', async () => {
    conforms('/api/health', 'GET', await relay.raw('GET', '/api/health'), 200);
    conforms('/api/openapi.json', 'GET', await relay.raw('GET', '/api/openapi.json'), 200);
    const wrong = await relay.raw('POST', '/api/openapi.json', { body: '{}' });
    conforms('/api/openapi.json', 'GET', wrong, 405);
    expect(wrong.headers.allow).toBe('GET, HEAD');
    conforms('/api/health', 'GET', await relay.raw('DELETE', '/api/health'), 405);
  });

  it('a URL too large for the HTTP parser: 431, as documented on every path', async () => {
    const path = '/api/relay/broadcast/lookup';
    conforms(path, 'GET', await relay.raw('GET', `${path}?email=${'a'.repeat(20_000)}%40example.com`), 431);
  });

  it('register: success, bad bodies, a taken email, the wrong method', async () => {
    const peer = await registered(relay);
    const path = '/api/relay/register';
    conforms(path, 'POST', await relay.raw('POST', path, { body: '{"email":' }), 400);
    conforms(path, 'POST', await relay.raw('POST', path, { body: '[1]' }), 400);
    conforms(path, 'POST', await relay.raw('POST', path, { body: JSON.stringify({ email: 'not an email', certificate: peer.certificatePem }) }), 400);
    conforms(path, 'POST', await relay.raw('POST', path, { identity: peer, body: JSON.stringify({ email: peer.email, certificate: peer.certificatePem }) }), 409);
    conforms(path, 'POST', await relay.raw('GET', path), 405);
  });

  it('ready, heartbeat, lookup, list: successes and refusals', async () => {
    const peer = await registered(relay);
    const other = await registered(relay);
    const ready = '/api/relay/broadcast/ready';
    const readyAnswer = await relay.raw('POST', ready, { identity: peer, body: JSON.stringify(BROADCAST) });
    conforms(ready, 'POST', readyAnswer, 200);
    expect(readyAnswer.body.observed_address).toBe('127.0.0.1');
    await relay.raw('POST', ready, { identity: other, body: JSON.stringify({ port: 1, addresses: ['192.0.2.11'] }) });
    conforms(ready, 'POST', await relay.raw('POST', ready, { identity: peer, body: JSON.stringify({ ...BROADCAST, port: 70000 }) }), 400);
    conforms(ready, 'POST', await relay.raw('POST', ready, { identity: peer, body: JSON.stringify({ ...BROADCAST, addresses: ['host.test'] }) }), 400);
    conforms(ready, 'POST', await relay.raw('POST', ready, { body: JSON.stringify(BROADCAST) }), 401);
    conforms(ready, 'POST', await relay.raw('POST', ready, { identity: relay.identity(), body: JSON.stringify(BROADCAST) }), 401);
    conforms(ready, 'POST', await relay.raw('POST', ready, { identity: peer, body: JSON.stringify({ ...BROADCAST, pad: 'x'.repeat(70_000) }) }), 413);

    const heartbeat = '/api/relay/broadcast/heartbeat';
    conforms(heartbeat, 'POST', await relay.raw('POST', heartbeat, { identity: peer }), 200);
    conforms(heartbeat, 'POST', await relay.raw('POST', heartbeat, { identity: await registered(relay) }), 404);
    conforms(heartbeat, 'POST', await relay.raw('POST', heartbeat, { identity: peer, body: '"x"' }), 400);

    const lookup = '/api/relay/broadcast/lookup';
    const found = await relay.raw('GET', `${lookup}?email=${encodeURIComponent(peer.email.toUpperCase())}`, { identity: other });
    conforms(lookup, 'GET', found, 200);
    expect(found.body.capabilities).toEqual(BROADCAST.capabilities);
    conforms(lookup, 'GET', await relay.raw('GET', `${lookup}?email=${encodeURIComponent(uniqueEmail())}`, { identity: other }), 404);
    conforms(lookup, 'GET', await relay.raw('GET', lookup, { identity: other }), 400);
    conforms(lookup, 'GET', await relay.raw('GET', `${lookup}?email=nope`, { identity: other }), 400);
    conforms(lookup, 'GET', await relay.raw('GET', `${lookup}?email=${encodeURIComponent(peer.email)}`), 401);
    conforms(lookup, 'GET', await relay.raw('POST', lookup, { identity: other, body: '{}' }), 405);

    const list = '/api/relay/broadcast/list';
    const page = await relay.raw('GET', `${list}?limit=1`, { identity: await registered(relay) });
    conforms(list, 'GET', page, 200);
    expect(page.headers.link).toMatch(/rel="next"/);
    conforms(list, 'GET', await relay.raw('GET', `${list}?limit=0`, { identity: other }), 400);
    conforms(list, 'GET', await relay.raw('GET', `${list}?cursor=bogus`, { identity: other }), 400);
  });

  it('renew and goodbye (EXT): successes and refusals; 404 where not offered', async () => {
    const email = uniqueEmail();
    const peer = await registered(relay, email);
    const renew = '/api/relay/renew';
    const next = relay.identity(email);
    conforms(renew, 'POST', await relay.raw('POST', renew, { identity: peer, body: JSON.stringify({ certificate: next.certificatePem, email: uniqueEmail() }) }), 400);
    conforms(renew, 'POST', await relay.raw('POST', renew, { identity: peer, body: JSON.stringify({ certificate: next.certificatePem }) }), 200);
    conforms(renew, 'POST', await relay.raw('POST', renew, { identity: next, body: JSON.stringify({ certificate: next.certificatePem }) }), 409);
    conforms(renew, 'POST', await relay.raw('POST', renew, { identity: peer, body: JSON.stringify({ certificate: next.certificatePem }) }), 401);

    const goodbye = '/api/relay/broadcast/goodbye';
    await relay.raw('POST', '/api/relay/broadcast/ready', { identity: next, body: JSON.stringify(BROADCAST) });
    conforms(goodbye, 'POST', await relay.raw('POST', goodbye, { identity: next, body: '{}' }), 200);
    conforms(goodbye, 'POST', await relay.raw('POST', goodbye, { identity: next, body: '[' }), 400);
    conforms(goodbye, 'POST', await relay.raw('POST', goodbye, {}), 401);
    conforms(goodbye, 'POST', await plainRelay.raw('POST', goodbye, { identity: next }), 404);
  });

  it('the test clock (TEST): moves in test mode, refuses bad steps, is 404 elsewhere', async () => {
    const clock = '/api/test/clock';
    conforms(clock, 'POST', await relay.raw('POST', clock, { body: JSON.stringify({ advance_seconds: 5 }) }), 200);
    conforms(clock, 'POST', await relay.raw('POST', clock, { body: JSON.stringify({ advance_seconds: 0 }) }), 400);
    conforms(clock, 'POST', await plainRelay.raw('POST', clock, { body: JSON.stringify({ advance_seconds: 5 }) }), 404);
    conforms(clock, 'POST', await relay.raw('GET', clock), 405);
  });

  it('exercised every operation’s success answer', () => {
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      for (const method of Object.keys(item as Json)) expect(seen.has(`${path} ${method} 200`), `${method} ${path} 200 never checked`).toBe(true);
    }
  });
});
