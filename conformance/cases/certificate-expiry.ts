/**
 * SPEC AUTH-6: a registered certificate stops authenticating at its
 * notAfter. The certificate is made to expire a few seconds after the
 * relay's own now (read from a heartbeat's broadcast_expires - expires_in,
 * so a relay whose clock was moved or warped is judged on its clock), then
 * the case waits those seconds in real time (scaled by --time-warp): a few
 * seconds whatever the TTL, and never moving the relay's clock.
 */
import type { CaseContext } from '../runner/types.ts';
import { relayNowMsOf } from '../runner/relay-clock.ts';
import { expectError, SetupFailure } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, PATHS, register, registeredPeer } from './steps.ts';

const DAY_MS = 86_400_000;
/** Real seconds the certificate stays valid after it is made: enough to register and announce it. */
const VALID_REAL_MS = 4000;

/** The relay's now in ms, to within a second: a heartbeat's broadcast_expires minus its expires_in. */
async function relayNowMs(context: CaseContext): Promise<{ relayMs: number; receivedAtMs: number }> {
  const clockPeer = await registeredPeer(context, { tag: 'clock' });
  await announce(context, clockPeer);
  const reply = await context.client.post(PATHS.heartbeat, {}, clockPeer);
  const receivedAtMs = context.time.nowMs();
  const relayMs = relayNowMsOf(reply);
  if (relayMs === null) throw new SetupFailure('heartbeat', 'heartbeat → HTTP 200 {"broadcast_expires": integer, "expires_in": integer} (to read the relay\'s clock)', reply);
  return { relayMs, receivedAtMs };
}


export default defineCases([
  {
    id: 'AUTH-6/expired-while-registered',
    requirements: ['AUTH-6'],
    title: 'a certificate that expires while registered no longer authenticates: 401 certificate_expired',
    async run(context) {
      const { relayMs, receivedAtMs } = await relayNowMs(context);
      // Whole seconds (X.509 times), one more for the relay's now being floored to a second.
      const notAfterMs = Math.ceil((relayMs + context.time.latencyMs(VALID_REAL_MS)) / 1000) * 1000 + 1000;
      const email = context.newEmail('expiring');
      const identity = context.identities.create({ email, window: { notBeforeMs: relayMs - DAY_MS, notAfterMs } });
      const registered = await register(context, identity);
      if (registered.status !== 200) throw new SetupFailure('register', `register a certificate valid until ${new Date(notAfterMs).toISOString()} (relay time) → HTTP 200`, registered);
      const live = await context.client.post(PATHS.ready, { port: 9, addresses: ['192.0.2.9'] }, identity);
      if (live.status !== 200) throw new SetupFailure('ready', 'ready with the certificate before it expires → HTTP 200', live);
      // The relay read relayMs (floored) before the suite's receivedAtMs: from then on, notAfter - relayMs surely passes.
      await context.time.waitUntil(receivedAtMs + (notAfterMs - relayMs) + context.time.latencyMs(150));
      const after = await context.client.post(PATHS.heartbeat, {}, identity);
      expectError(after, 401, 'certificate_expired', `heartbeat presenting a certificate past its notAfter (${new Date(notAfterMs).toISOString()}, relay time)`);
      const observer = await registeredPeer(context, { tag: 'observer' });
      const lookup = await context.client.get(lookupPath(observer.email), identity);
      expectError(lookup, 401, 'certificate_expired', 'lookup presenting a certificate past its notAfter');
    },
  },
]);
