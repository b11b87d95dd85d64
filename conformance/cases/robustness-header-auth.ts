/**
 * SPEC ROB-4: a relay that reads the client certificate from a proxy's
 * header (--auth header:NAME) must refuse a request whose header names two
 * certificates, in two header lines or two PEM blocks in one: a proxy that
 * appends instead of replacing forwards the client's own header beside its
 * own, and taking either one would let a client act as someone else. Both
 * certificates are registered and both peers have live broadcasts, so a
 * relay that authenticates as either changes one of them: plain evidence.
 */
import type { CaseContext } from '../runner/types.ts';
import { check, describeReply, expectError, NotApplicable, sameJson } from '../runner/verify.ts';
import { announce, defineCases, lookupShown, PATHS, registeredPeer, subCases, table, type Broadcast } from './steps.ts';

type HeaderValue = (firstPem: string, secondPem: string) => string | string[];

const AMBIGUOUS_HEADERS = table<HeaderValue>(
  [
    ['two header lines', (a, b) => [encodeURIComponent(a), encodeURIComponent(b)]],
    ['two PEM blocks in one header', (a, b) => encodeURIComponent(`${a.trim()}\n${b.trim()}\n`)],
  ],
  true,
);

async function ambiguousHeaderCase(context: CaseContext, value: HeaderValue, label: string): Promise<void> {
  const auth = context.client.auth;
  if (auth.kind !== 'header') throw new NotApplicable('the relay is tested over mutual TLS, where one TLS connection carries one client certificate; a relay that reads the certificate from a proxy header is tested with --auth header:NAME');
  const first = await registeredPeer(context, { tag: 'rob4-first' });
  const second = await registeredPeer(context, { tag: 'rob4-second' });
  const observer = await registeredPeer(context, { tag: 'rob4-observer' });
  await announce(context, first, { port: 40561, addresses: ['192.0.2.61'] });
  await announce(context, second, { port: 40562, addresses: ['192.0.2.62'] });
  const before = [await lookupShown(context, observer, first.email, 'of the first peer before'), await lookupShown(context, observer, second.email, 'of the second peer before')];

  const changed: Broadcast = { port: 40563, addresses: ['192.0.2.63'] };
  // No identity: the case writes the header itself, from the trusted proxy's address (the suite's own).
  const headers = { [auth.headerName.toLowerCase()]: value(first.certificatePem, second.certificatePem) };
  const reply = await context.client.send({ method: 'POST', path: PATHS.ready, json: changed, headers });
  expectError(reply, 400, 'ambiguous_client_certificate', `ready with ${label} of ${auth.headerName}, the certificates of ${first.email} and ${second.email}`);

  const after = [await lookupShown(context, observer, first.email, 'of the first peer after'), await lookupShown(context, observer, second.email, 'of the second peer after')];
  check(
    sameJson(before, after),
    `neither ${first.email} nor ${second.email} authenticated: both broadcasts as before the refused ready, ${JSON.stringify(before)}`,
    `lookups after it: ${JSON.stringify(after)} (the refused ready answered ${describeReply(reply)})`,
  );
}

export default defineCases(
  subCases(
    { id: 'ROB-4/ambiguous-certificate-header', requirements: ['ROB-4'], title: (label) => `a certificate header with ${label} (two registered certificates) is refused with 400 and authenticates as neither` },
    AMBIGUOUS_HEADERS,
    ambiguousHeaderCase,
  ),
);
