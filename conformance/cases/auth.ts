/** SPEC AUTH-* and GEN-3: who is calling is decided by the certificate, by fingerprint. */
import type { CaseContext } from '../runner/types.ts';
import type { SuiteIdentity } from '../runner/identities.ts';
import type { Reply } from '../runner/target.ts';
import { CaseSkip, check, describeReply, expectError, expectStatus, NotApplicable } from '../runner/verify.ts';
import { announce, announceChecked, defineCases, lookupPath, PATHS, registeredPeer, sampleBroadcast, subCases } from './steps.ts';

type Call = { name: string; send: (context: CaseContext, identity: SuiteIdentity | null) => Promise<Reply> };

const AUTHENTICATED_CALLS: Call[] = [
  { name: 'ready', send: (c, id) => c.client.post(PATHS.ready, sampleBroadcast(c), id) },
  { name: 'heartbeat', send: (c, id) => c.client.post(PATHS.heartbeat, {}, id) },
  { name: 'lookup', send: (c, id) => c.client.get(lookupPath(c.newEmail('target')), id) },
  { name: 'list', send: (c, id) => c.client.get(PATHS.list, id) },
];

/** The same certificate as other PEM text: identity is the DER's fingerprint, never the text (SPEC AUTH-4, Terms). */
const PEM_VARIANTS: Array<{ label: string; value: (pem: string) => string }> = [
  { label: 'CRLF line endings', value: (pem) => pem.replace(/\r?\n/g, '\r\n') },
  { label: '76-column lines', value: (pem) => rewrap(pem, 76) },
  { label: 'surrounding whitespace', value: (pem) => `\n  \n${pem.trim()}\n\n  ` },
];

function rewrap(pem: string, width: number): string {
  const base64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  const lines = base64.match(new RegExp(`.{1,${width}}`, 'g')) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Header names proxies commonly use to forward a client certificate. */
const FORWARDED_CERT_HEADERS = ['x-ssl-cert', 'x-client-cert', 'ssl-client-cert', 'x-forwarded-client-cert', 'x-client-certificate'];

export default defineCases([
  ...AUTHENTICATED_CALLS.map((call) => ({
    id: `AUTH-1/${call.name}-without-certificate`,
    requirements: ['AUTH-1'],
    title: `${call.name} without a client certificate is refused`,
    async run(context: CaseContext) {
      expectError(await call.send(context, null), 401, 'client_certificate_required', `${call.name} with no client certificate`);
    },
  })),
  ...AUTHENTICATED_CALLS.map((call) => ({
    id: `AUTH-2/${call.name}-unregistered`,
    requirements: ['AUTH-2'],
    title: `${call.name} with an unregistered certificate is refused`,
    async run(context: CaseContext) {
      const stranger = context.identities.create({ email: context.newEmail('stranger') });
      expectError(await call.send(context, stranger), 401, 'certificate_not_registered', `${call.name} with a certificate never registered`);
    },
  })),
  {
    id: 'AUTH-3/second-key-same-email',
    requirements: ['AUTH-3'],
    title: 'a second key pair carrying a registered email is not authenticated',
    async run(context) {
      const owner = await registeredPeer(context, { tag: 'owner' });
      const impostor = context.identities.create({ email: owner.email });
      expectError(await context.client.post(PATHS.ready, sampleBroadcast(context), impostor), 401, 'certificate_not_registered', 'ready from a second key claiming the same email');
      expectError(await context.client.get(lookupPath(owner.email), impostor), 401, 'certificate_not_registered', 'lookup from that second key');
    },
  },
  {
    id: 'AUTH-4/acts-as-registered-email',
    requirements: ['AUTH-4', 'GEN-3'],
    title: "a registered certificate's requests act for its registered email",
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'self' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const announced = await announceChecked(context, peer, sampleBroadcast(context), 'ready authenticated by its registered certificate');
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, `lookup ${peer.email} after its ready`);
      check(body.email === peer.email && body.port === announced.broadcast.port, `the broadcast of ${peer.email} (port ${announced.broadcast.port})`, describeReply(reply));
    },
  },
  ...subCases({ id: 'AUTH-4/registered-as-other-pem-text', requirements: ['AUTH-4'], title: (label) => `a certificate registered as PEM text with ${label} authenticates` }, PEM_VARIANTS, async (context, variant, label) => {
    const peer = context.identities.create({ email: context.newEmail('pemtext') });
    expectStatus(await context.client.post(PATHS.register, { certificate: variant(peer.certificatePem), email: peer.email }, peer), 200, `register the certificate as PEM text with ${label}`, 'REG-1');
    await announceChecked(context, peer, sampleBroadcast(context), `ready authenticated by that certificate's key (registered with ${label})`);
  }),
  {
    id: 'AUTH-5/header-from-untrusted-client',
    requirements: ['AUTH-5'],
    title: 'a forwarded-certificate header from a client that is not a trusted proxy is ignored',
    async run(context) {
      const header = context.client.auth.kind === 'header';
      if (header && !context.client.untrustedSource) {
        throw new CaseSkip('the suite reaches the relay as its trusted proxy (--auth header:…); pass --untrusted-source ADDR, a local address the relay does not trust (e.g. 127.0.0.3), to check that the header is ignored from anywhere else');
      }
      // A live broadcast, so a relay that believes the forged header answers 200 with it: plain evidence of the leak.
      const peer = await registeredPeer(context, { tag: 'forwarded' });
      await announce(context, peer);
      const forged = Object.fromEntries(FORWARDED_CERT_HEADERS.map((name) => [name, encodeURIComponent(peer.certificatePem)]));
      if (header && context.client.auth.kind === 'header') forged[context.client.auth.headerName.toLowerCase()] = encodeURIComponent(peer.certificatePem);
      const reply = await context.client.send({ method: 'GET', path: lookupPath(peer.email), headers: forged, fromUntrustedSource: header });
      const from = header ? `from --untrusted-source ${context.client.untrustedSource}` : "from the suite's address, which must not be a trusted proxy";
      expectError(reply, 401, 'client_certificate_required', `lookup with no TLS certificate but the PEM of a registered one in forwarded-certificate headers (${Object.keys(forged).join(', ')}), ${from}`);
    },
  },
  {
    id: 'AUTH-5/header-from-trusted-proxy',
    requirements: ['AUTH-5'],
    title: 'the URL-encoded PEM in the configured header authenticates through the trusted proxy',
    async run(context) {
      if (context.client.auth.kind !== 'header') throw new NotApplicable('the relay is tested over mutual TLS; a relay that reads the certificate from a proxy header is tested with --auth header:NAME');
      const peer = await registeredPeer(context, { tag: 'proxied' });
      await announceChecked(context, peer, sampleBroadcast(context), 'ready authenticated by the PEM in the configured header');
    },
  },
]);
