/** SPEC ERR-*: framing errors, error bodies, robustness under malformed input. */
import fc from 'fast-check';
import type { CaseContext } from '../runner/types.ts';
import { derOfPem, type SuiteIdentity } from '../runner/identities.ts';
import { SPEC_ERROR_CODES } from '../runner/error-codes.ts';
import { CaseFailure, check, describeReply, expectError, expectNot5xx, expectStatus, sameJson } from '../runner/verify.ts';
import { currentRecorder, ERROR_BODY_REQUIREMENT } from '../runner/recorder.ts';
import type { Reply } from '../runner/target.ts';
import { announce, defineCases, lookupPath, lookupShown, PATHS, registeredPeer, sampleBroadcast, subCases, type Broadcast, type ShownBroadcast } from './steps.ts';

const KILOBYTE = 1024;

/** ERR-1 (SHOULD): the body shape and code are details clients do not rely on: non-strict when they differ. */
function expectSpecErrorBody(reply: Reply, what: string): void {
  const body = reply.json as { error?: unknown; code?: unknown } | undefined;
  const known = typeof body?.code === 'string' && (SPEC_ERROR_CODES as readonly string[]).includes(body.code);
  if (typeof body?.error === 'string' && known) currentRecorder()?.pass(ERROR_BODY_REQUIREMENT);
  else currentRecorder()?.find('non-strict', ERROR_BODY_REQUIREMENT, `${what}: body {"error": <string>, "code": <a SPEC code>}`, describeReply(reply));
}

/**
 * SPEC ERR-7: after a refusal, lookup shows the broadcast exactly as before.
 * "Before" is what lookup showed before the refused request, not what was
 * sent: a relay that stores a broadcast differently (a READY defect) must
 * not make every refusal look like a state change.
 */
async function lookupUnchanged(context: CaseContext, observer: SuiteIdentity, email: string, before: ShownBroadcast, after: string): Promise<void> {
  const reply = await context.client.get(lookupPath(email), observer);
  const body = expectStatus(reply, 200, `lookup after ${after}`, 'ERR-7');
  const got = { port: body.port, addresses: body.addresses, capabilities: body.capabilities };
  check(sameJson(got, before), `after ${after}, lookup as before it: ${JSON.stringify(before).slice(0, 300)}`, describeReply(reply), 'ERR-7');
}

/**
 * fast-check reports the shrunk counterexample; the last CaseFailure thrown
 * belongs to it. A slow relay may not get through every input within the
 * time limit: the case then says how many it did, rather than passing
 * quietly on fewer.
 */
async function propertyCase<T>(context: CaseContext, arbitrary: fc.Arbitrary<T>, runs: number, predicate: (value: T) => Promise<void>): Promise<void> {
  let lastFailure: CaseFailure | null = null;
  // Anything but a failed check (a missing endpoint, a failed setup step, a dropped connection) ends the case as what it is.
  let abort: unknown = null;
  const seed = context.rng.nextUint32() | 0;
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (value) => {
      if (abort !== null) return;
      try {
        await predicate(value);
      } catch (error) {
        if (error instanceof CaseFailure) lastFailure = error;
        else if (!fc.PreconditionFailure.isFailure(error)) abort = error;
        throw error;
      }
    }),
    { seed, numRuns: runs, endOnFailure: false, interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS },
  );
  if (abort !== null) throw abort;
  if (details.failed) {
    const failure = lastFailure as CaseFailure | null;
    const counterexample = details.counterexample === null ? '' : fc.stringify(details.counterexample);
    const message = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new CaseFailure(failure?.expected ?? 'the property to hold', `${failure?.actual ?? message.split('\n')[0]} (fast-check seed ${seed}, shrunk input ${counterexample.slice(0, 400)})`, failure?.requirement ?? null);
  }
  if (details.interrupted) context.note(`checked ${details.numRuns} of ${runs} generated inputs before the ${PROPERTY_TIME_LIMIT_MS / 1000} s limit (a slow relay)`);
}

const PROPERTY_TIME_LIMIT_MS = 20_000;

const junkValue = fc.oneof(
  fc.integer(), fc.double(), fc.constant(1e308), fc.constant(2 ** 53 + 1), fc.constant(-0), fc.string(), fc.string({ unit: 'grapheme' }),
  fc.constant(null), fc.boolean(), fc.array(fc.oneof(fc.ipV4(), fc.ipV6(), fc.string(), fc.integer()), { maxLength: 20 }), fc.object({ maxDepth: 2 }),
);

const malformedReadyBody = fc.oneof(
  fc.record({ port: junkValue, addresses: junkValue, capabilities: junkValue }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ port: fc.integer({ min: 1, max: 65535 }), addresses: fc.array(fc.oneof(fc.ipV4Extended(), fc.domain(), fc.string()), { minLength: 1, maxLength: 17 }) })
    .filter((v) => v.addresses.length === 17 || v.addresses.some((a) => !/^\d+\.\d+\.\d+\.\d+$/.test(a) || a.split('.').some((o) => (o.length > 1 && o.startsWith('0')) || Number(o) > 255)))
    .map((v) => JSON.stringify(v)),
  // A valid port with addresses of the wrong element types: the check most likely to be skipped.
  fc.record({ port: fc.integer({ min: 1, max: 65535 }), addresses: fc.array(junkValue, { minLength: 1, maxLength: 5 }) }).map((v) => JSON.stringify(v)),
  fc.json().filter((text) => !text.trimStart().startsWith('{')),
  fc.string({ unit: 'binary' }),
  fc.string().map((s) => `{"port": 8080, "addresses": ["10.0.0.1"${s}`),
);

export default defineCases([
  ...subCases({ id: 'ERR-1/error-body', requirements: ['ERR-1'], title: (label) => `the ${label} answer carries {"error", "code"} with a SPEC code` }, [
    { label: 'unknown route', value: (context: CaseContext, caller: SuiteIdentityOf) => context.client.get('/api/relay/nothing-here', caller) },
    { label: 'bad JSON', value: (context: CaseContext) => context.client.send({ method: 'POST', path: PATHS.register, rawBody: '{' }) },
    { label: 'no certificate', value: (context: CaseContext) => context.client.get(PATHS.list) },
    { label: 'bad limit', value: (context: CaseContext, caller: SuiteIdentityOf) => context.client.get(`${PATHS.list}?limit=0`, caller) },
  ], async (context, send, label) => {
    const caller = await registeredPeer(context, { tag: 'errbody' });
    const reply = await send(context, caller);
    check(reply.status >= 400 && reply.status < 500, `${label}: a 4xx answer`, describeReply(reply));
    expectSpecErrorBody(reply, label);
  }),
  ...subCases({ id: 'ERR-2/invalid-json', requirements: ['ERR-2'], title: (label) => `malformed JSON ${label} answers 400 invalid_json` },
    bodiesOnEveryPost(['{', '{"port": 80,}', 'nul', "{'port': 1}", '{"a":1}}']),
    async (context, { text, path }) => expectError(await postBody(context, path, text), 400, 'invalid_json', `POST ${path} with body ${text}`)),
  ...subCases({ id: 'ERR-2/not-an-object', requirements: ['ERR-2'], title: (label) => `JSON that is not an object, ${label}, answers 400 invalid_body` },
    bodiesOnEveryPost(['[]', '"text"', '42', 'null', 'true', '[{"port":80}]']),
    async (context, { text, path }) => expectError(await postBody(context, path, text), 400, 'invalid_body', `POST ${path} with body ${text}`)),
  ...subCases({ id: 'ERR-3/unknown-route', requirements: ['ERR-3'], title: (label) => `GET ${label} answers 404 route_not_found` },
    ['/api/relay/nothing', '/', '/api/relay/broadcast', '/api/relay/broadcast/lookup/extra', '/api/relay/REGISTER'].map((path) => ({ label: path, value: path })),
    async (context, path) => expectError(await context.client.get(path), 404, 'route_not_found', `GET ${path}`)),
  ...subCases({ id: 'ERR-4/wrong-method', requirements: ['ERR-4'], title: (label) => `${label} answers 405 with Allow` },
    ([['GET', PATHS.register], ['GET', PATHS.ready], ['GET', PATHS.heartbeat], ['POST', PATHS.lookup], ['DELETE', PATHS.list], ['PUT', PATHS.health]] as const)
      .map(([method, path]) => ({ label: `${method} ${path}`, value: { method, path } })),
    async (context, { method, path }) => {
      const reply = await context.client.send({ method, path, ...(method === 'GET' || method === 'DELETE' ? {} : { json: {} }) });
      expectError(reply, 405, 'method_not_allowed', `${method} ${path}`);
      check(Boolean(reply.headers['allow']), `${method} ${path}: an Allow header`, `headers: ${JSON.stringify(reply.headers)}`);
    }),
  {
    id: 'ERR-6/body-too-large',
    requirements: ['ERR-6', 'ERR-5'],
    title: 'bodies over 64 KiB answer 413 body_too_large',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'large' });
      const padded = JSON.stringify({ ...sampleBroadcast(context), padding: 'x'.repeat(70 * KILOBYTE) });
      expectError(await context.client.send({ method: 'POST', path: PATHS.ready, rawBody: padded, identity: peer }), 413, 'body_too_large', 'ready with a 70 KiB body');
      const huge = JSON.stringify({ certificate: 'x'.repeat(5 * KILOBYTE * KILOBYTE), email: context.newEmail('huge') });
      // Presenting a certificate, so a relay that requires possession (REG-14) reaches the body too.
      const standIn = context.identities.create({ email: context.newEmail('huge') });
      expectError(await context.client.send({ method: 'POST', path: PATHS.register, rawBody: huge, identity: standIn }), 413, 'body_too_large', 'register with a 5 MB body');
    },
  },
  {
    id: 'ERR-5/malformed-ready-bodies',
    requirements: ['ERR-5', 'ERR-7'],
    title: 'property: malformed ready bodies never give a 5xx and never change the broadcast',
    async run(context) {
      const { identity: peer, broadcast } = await livePeerWithCaps(context);
      const observer = await registeredPeer(context, { tag: 'observer' });
      let before = await lookupShown(context, observer, peer.email, 'after the ready');
      await propertyCase(context, malformedReadyBody, 60, async (text) => {
        // Keep the broadcast alive whatever the TTL; a heartbeat changes nothing else (HB-4).
        const heartbeat = await context.client.post(PATHS.heartbeat, {}, peer);
        if (heartbeat.status === 404) await announce(context, peer, broadcast);
        const reply = await context.client.send({ method: 'POST', path: PATHS.ready, rawBody: text, identity: peer });
        expectNot5xx(reply, `ready with body ${text.slice(0, 120)}`);
        if (reply.status === 200) {
          await announce(context, peer, broadcast);
          before = await lookupShown(context, observer, peer.email, 'after the ready again');
          return;
        }
        await lookupUnchanged(context, observer, peer.email, before, `refused ready ${text.slice(0, 80)}`);
      });
    },
  },
  {
    id: 'ERR-5/malformed-certificates',
    requirements: ['ERR-5', 'REG-2'],
    title: 'property: tampered or truncated certificates are refused with a 4xx, never a 5xx',
    async run(context) {
      const identity = context.identities.create({ email: context.newEmail('mangled') });
      const pem = identity.certificatePem;
      const mangled = fc.oneof(
        // Cutting only the final newline would leave a valid PEM.
        fc.nat({ max: pem.length - 2 }).map((cut) => pem.slice(0, cut)),
        fc.tuple(fc.integer({ min: 28, max: pem.length - 27 }), fc.constantFrom('A', 'z', '0', '+', '/', '=', '-', ' ', '\u00e9')).map(([at, ch]) => pem.slice(0, at) + ch + pem.slice(at + 1)),
        fc.string({ unit: 'grapheme', maxLength: 300 }),
      ).filter((text) => text !== pem);
      await propertyCase(context, mangled, 40, async (text) => {
        // A change in base64 padding bits or whitespace can leave the DER intact: that certificate is still valid.
        fc.pre(!derOfPem(text).equals(derOfPem(pem)));
        const reply = await context.client.post(PATHS.register, { certificate: text, email: identity.email });
        expectNot5xx(reply, 'register a mangled certificate');
        check(reply.status !== 200, 'a mangled certificate is refused', describeReply(reply));
      });
    },
  },
  {
    id: 'ERR-5/malformed-queries',
    requirements: ['ERR-5'],
    title: 'property: arbitrary lookup and list query strings never give a 5xx',
    async run(context) {
      const caller = await registeredPeer(context, { tag: 'query' });
      const query = fc.tuple(fc.constantFrom(PATHS.lookup, PATHS.list), fc.constantFrom('email', 'limit', 'cursor', 'x'), fc.string({ unit: 'grapheme', maxLength: 80 }));
      await propertyCase(context, query, 40, async ([path, name, value]) => {
        expectNot5xx(await context.client.get(`${path}?${name}=${encodeURIComponent(value)}`, caller), `GET ${path}?${name}=${value}`);
      });
    },
  },
  {
    id: 'ERR-5/malformed-headers',
    requirements: ['ERR-5', 'ERR-7'],
    title: 'property: odd Content-Type, Accept and certificate headers never give a 5xx or change the broadcast',
    async run(context) {
      const { identity: peer, broadcast } = await livePeerWithCaps(context);
      const observer = await registeredPeer(context, { tag: 'observer' });
      const before = await lookupShown(context, observer, peer.email, 'after the ready');
      const headerValue = fc.oneof(fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 120 }), fc.constantFrom('application/json; charset=latin1', 'text/plain', '*/*', '%00', '-----BEGIN CERTIFICATE-----'));
      const headers = fc.record({ 'content-type': headerValue, accept: headerValue, 'x-ssl-cert': headerValue, 'x-client-cert': headerValue }, { requiredKeys: [] });
      await propertyCase(context, fc.tuple(headers, fc.constantFrom('ready', 'lookup', 'register')), 30, async ([sent, endpoint]) => {
        const heartbeat = await context.client.post(PATHS.heartbeat, {}, peer);
        if (heartbeat.status === 404) await announce(context, peer, broadcast);
        const reply =
          endpoint === 'ready'
            ? await context.client.send({ method: 'POST', path: PATHS.ready, rawBody: JSON.stringify({ port: 0, addresses: [] }), headers: sent, identity: peer })
            : endpoint === 'lookup'
              ? await context.client.send({ method: 'GET', path: lookupPath(peer.email), headers: sent, identity: observer })
              : await context.client.send({ method: 'POST', path: PATHS.register, rawBody: JSON.stringify({ certificate: 'x', email: peer.email }), headers: sent });
        expectNot5xx(reply, `${endpoint} with headers ${JSON.stringify(sent).slice(0, 200)}`);
        await lookupUnchanged(context, observer, peer.email, before, `${endpoint} with odd headers`);
      });
    },
  },
  {
    id: 'ERR-5/fifty-concurrent-clients',
    requirements: ['ERR-5'],
    title: '50 concurrent clients registering, announcing, looking up and listing never get a 5xx',
    async run(context) {
      const clients = Array.from({ length: 50 }, () => context.identities.create({ email: context.newEmail('crowd') }));
      // allSettled: every client finishes its steps before the verdict, so one failure leaves none of them running.
      const outcomes = await Promise.allSettled(clients.map(async (identity, index) => {
        const steps: Array<() => Promise<Reply>> = [
          () => context.client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email }, identity),
          () => context.client.post(PATHS.ready, sampleBroadcast(context), identity),
          () => context.client.get(lookupPath(clients[(index + 1) % clients.length]?.email ?? identity.email), identity),
          () => context.client.get(`${PATHS.list}?limit=10`, identity),
          () => context.client.post(PATHS.heartbeat, {}, identity),
        ];
        for (const step of steps) expectNot5xx(await step(), `client ${index}`);
      }));
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      if (failed) throw failed.reason;
    },
  },
  ...subCases({ id: 'ERR-7/refusal-keeps-state', requirements: ['ERR-7'], title: (label) => `a refused ${label} leaves the broadcast untouched` }, [
    { label: 'ready with port 0', value: (c: CaseContext, peer: SuiteIdentityOf, b: Broadcast) => c.client.post(PATHS.ready, { ...b, port: 0 }, peer) },
    { label: 'ready with 17 addresses', value: (c: CaseContext, peer: SuiteIdentityOf, b: Broadcast) => c.client.post(PATHS.ready, { ...b, addresses: Array.from({ length: 17 }, () => '10.0.0.1') }, peer) },
    { label: 'ready with capabilities []', value: (c: CaseContext, peer: SuiteIdentityOf, b: Broadcast) => c.client.post(PATHS.ready, { ...b, capabilities: [] }, peer) },
    { label: 'ready with bad JSON', value: (c: CaseContext, peer: SuiteIdentityOf) => c.client.send({ method: 'POST', path: PATHS.ready, rawBody: '{"port": 1', identity: peer }) },
    { label: 're-registration by a second key', value: (c: CaseContext, peer: SuiteIdentityOf) => {
      const second = c.identities.create({ email: peer.email });
      return c.client.post(PATHS.register, { certificate: second.certificatePem, email: peer.email }, second);
    } },
  ], async (context, send, label) => {
    const { identity: peer, broadcast } = await livePeerWithCaps(context);
    const observer = await registeredPeer(context, { tag: 'observer' });
    const before = await lookupShown(context, observer, peer.email, 'before the refused request');
    const reply = await send(context, peer, broadcast);
    check(reply.status >= 400 && reply.status < 500, `${label}: refused with a 4xx`, describeReply(reply));
    await lookupUnchanged(context, observer, peer.email, before, label);
  }),
]);

type SuiteIdentityOf = SuiteIdentity;

/** Every POST endpoint gets each body; the heartbeat after a ready, so its body check is reached. */
function bodiesOnEveryPost(texts: string[]) {
  return texts.flatMap((text) => [PATHS.register, PATHS.ready, PATHS.heartbeat].map((path) => ({ label: `${text} to ${path.split('/').pop()}`, value: { text, path } })));
}

async function postBody(context: CaseContext, path: string, text: string): Promise<Reply> {
  // Presenting a certificate, so a relay that requires possession (REG-14) reaches the body too.
  if (path === PATHS.register) return context.client.send({ method: 'POST', path, rawBody: text, identity: context.identities.create({ email: context.newEmail('badbody') }) });
  const peer = await registeredPeer(context, { tag: 'badbody' });
  if (path === PATHS.heartbeat) await announce(context, peer); // a live broadcast, so a heartbeat reaches its body check
  return context.client.send({ method: 'POST', path, rawBody: text, identity: peer });
}

async function livePeerWithCaps(context: CaseContext) {
  const peer = await registeredPeer(context, { tag: 'state' });
  const broadcast: Broadcast = { ...sampleBroadcast(context), capabilities: { files: true } };
  await announce(context, peer, broadcast);
  return { identity: peer, broadcast };
}
