/**
 * SPEC EXT-*: optional extensions, run only where the relay advertises them
 * in `GET /api/health` as `"extensions": [...]` (a relay that does not is
 * not-applicable, never failed).
 */
import type { CaseContext } from '../runner/types.ts';
import { isIP } from 'node:net';
import { check, describeReply, expectArray, expectError, expectStatus, NotApplicable, sameJson } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, lookupShown, PATHS, registeredPeer, sampleBroadcast } from './steps.ts';

/** What the suite, standing in for the trusted proxy (--auth header:NAME), says the client was (TEST-NET-3). */
const FORWARDED_FOR = '203.0.113.77';

/** The extension names the relay's health answer lists; an absent or malformed list is none. */
async function advertised(context: CaseContext): Promise<string[]> {
  const reply = await context.client.get(PATHS.health);
  const list = (reply.json as { extensions?: unknown } | undefined)?.extensions;
  return Array.isArray(list) ? list.filter((e): e is string => typeof e === 'string') : [];
}

async function requireExtension(context: CaseContext, name: string): Promise<void> {
  const names = await advertised(context);
  context.fact('extensions advertised in health', names.length > 0 ? names.join(', ') : 'none');
  if (!names.includes(name)) throw new NotApplicable(`the relay does not list "${name}" in GET /api/health "extensions" (it lists ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'})`);
}

export default defineCases([
  {
    id: 'EXT-1/renew',
    requirements: ['EXT-1'],
    title: 'renew replaces the caller\'s certificate for the same email: the new one authenticates, the old one does not, the broadcast stays',
    async run(context) {
      await requireExtension(context, 'renew');
      const old = await registeredPeer(context, { tag: 'renewing' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      await announce(context, old);
      const before = await lookupShown(context, observer, old.email, 'before the renewal');
      const fresh = context.identities.create({ email: old.email });
      const reply = await context.client.post(PATHS.renew, { certificate: fresh.certificatePem }, old);
      const body = expectStatus(reply, 200, `renew ${old.email} with a new certificate`);
      check(body.status === 'renewed' && body.email === old.email, `{"status":"renewed","email":"${old.email}",…}`, describeReply(reply));
      expectStatus(await context.client.post(PATHS.heartbeat, {}, fresh), 200, 'heartbeat presenting the new certificate');
      expectError(await context.client.post(PATHS.heartbeat, {}, old), 401, 'certificate_not_registered', 'heartbeat presenting the replaced certificate');
      const after = await lookupShown(context, observer, old.email, 'after the renewal');
      check(sameJson(before, after), `the broadcast unchanged by the renewal: ${JSON.stringify(before)}`, JSON.stringify(after));
    },
  },
  {
    id: 'EXT-1/renew-refusals',
    requirements: ['EXT-1', 'ERR-7'],
    title: 'renew refuses an anonymous caller, a certificate for another email and the current certificate, and each refusal leaves the old one in place',
    async run(context) {
      await requireExtension(context, 'renew');
      const owner = await registeredPeer(context, { tag: 'owner' });
      const fresh = context.identities.create({ email: owner.email });
      expectError(await context.client.post(PATHS.renew, { certificate: fresh.certificatePem }, null), 401, 'client_certificate_required', 'renew presenting no certificate');
      const stranger = context.identities.create({ email: context.newEmail('stranger') });
      expectError(await context.client.post(PATHS.renew, { certificate: stranger.certificatePem }, owner), 400, 'email_mismatch', "renew to a certificate carrying another email");
      expectError(await context.client.post(PATHS.renew, { certificate: owner.certificatePem }, owner), 409, 'certificate_already_registered', 'renew to the certificate already registered');
      expectError(await context.client.post(PATHS.renew, { certificate: 'not a certificate' }, owner), 400, 'invalid_certificate', 'renew to something that is not a certificate');
      const future = context.identities.create({ email: owner.email, validity: 'not-yet-valid' });
      expectError(await context.client.post(PATHS.renew, { certificate: future.certificatePem }, owner), 400, 'certificate_not_valid_now', 'renew to a certificate not valid yet');
      const still = await context.client.get(lookupPath(owner.email), owner);
      check(still.status === 200 || still.status === 404, `the owner's certificate still authenticates after the refusals (lookup → 200 or 404)`, describeReply(still), 'ERR-7');
    },
  },
  {
    id: 'EXT-2/goodbye',
    requirements: ['EXT-2', 'ERR-7'],
    title: 'goodbye ends the caller\'s broadcast at once: gone from lookup, heartbeat 404, and a new ready makes it live again',
    async run(context) {
      await requireExtension(context, 'goodbye');
      const peer = await registeredPeer(context, { tag: 'leaving' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const { broadcast } = await announce(context, peer);
      await lookupShown(context, observer, peer.email, 'before the goodbye');
      expectError(await context.client.post(PATHS.goodbye, {}, null), 401, 'client_certificate_required', 'goodbye presenting no certificate');
      await lookupShown(context, observer, peer.email, 'after a refused goodbye');
      // No body at all: goodbye defines none.
      const reply = await context.client.send({ method: 'POST', path: PATHS.goodbye, identity: peer });
      const body = expectStatus(reply, 200, `goodbye from ${peer.email} (no body)`);
      check(body.status === 'gone', '{"status":"gone",…}', describeReply(reply));
      expectError(await context.client.get(lookupPath(peer.email), observer), 404, 'peer_not_found', `lookup ${peer.email} right after its goodbye`);
      const listed = await context.client.get(`${PATHS.list}?limit=1000`, observer);
      const items = expectArray(listed, 'list right after the goodbye');
      check(!items.some((i) => (i as { email?: unknown }).email === peer.email), `list without ${peer.email} right after its goodbye`, describeReply(listed));
      expectStatus(await context.client.post(PATHS.goodbye, {}, peer), 200, 'a second goodbye (no live broadcast): still 200');
      expectError(await context.client.post(PATHS.heartbeat, {}, peer), 404, 'no_live_broadcast', 'heartbeat after the goodbye');
      expectStatus(await context.client.post(PATHS.ready, broadcast, peer), 200, 'ready again after the goodbye', 'READY-1');
      expectStatus(await context.client.get(lookupPath(peer.email), observer), 200, `lookup ${peer.email} after the new ready`);
    },
  },
  {
    id: 'EXT-3/observed-address',
    requirements: ['EXT-3'],
    title: 'ready and heartbeat answers carry observed_address: the address the request came from',
    async run(context) {
      await requireExtension(context, 'observed-address');
      const peer = await registeredPeer(context, { tag: 'observed' });
      const viaProxy = context.client.auth.kind === 'header';
      const headers = viaProxy ? { 'x-forwarded-for': FORWARDED_FOR } : undefined;
      const ready = await context.client.send({ method: 'POST', path: PATHS.ready, json: sampleBroadcast(context), identity: peer, ...(headers ? { headers } : {}) });
      const heartbeat = await context.client.send({ method: 'POST', path: PATHS.heartbeat, json: {}, identity: peer, ...(headers ? { headers } : {}) });
      for (const [what, reply] of [['ready', ready], ['heartbeat', heartbeat]] as const) {
        const body = expectStatus(reply, 200, what);
        const seen = body.observed_address;
        context.fact(`observed_address (${what})`, JSON.stringify(seen));
        if (viaProxy) {
          check(seen === FORWARDED_FOR, `${what}: "observed_address": "${FORWARDED_FOR}" (the X-Forwarded-For the trusted proxy sent)`, describeReply(reply));
        } else {
          check(typeof seen === 'string' && isIP(seen) !== 0, `${what}: "observed_address": an IP address literal`, describeReply(reply));
          if (isLoopbackHost(context.client.url)) check(isLoopback(String(seen)), `${what}: a loopback "observed_address" (the suite reached the relay over loopback)`, describeReply(reply));
        }
      }
      if (viaProxy) {
        // The trusted proxy forwarded no client address: the relay does not know it, and must not name the proxy's own.
        const unknown = await context.client.post(PATHS.heartbeat, {}, peer);
        const body = expectStatus(unknown, 200, 'heartbeat through the trusted proxy without X-Forwarded-For');
        check(!('observed_address' in body), 'no "observed_address" when the trusted proxy sent no X-Forwarded-For', describeReply(unknown));
      }
    },
  },
]);

function isLoopbackHost(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isLoopback(host) || host === 'localhost';
}

function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./i.test(address);
}
