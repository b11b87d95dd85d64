/** SPEC REG-*: registration (`POST /api/relay/register`). */
import type { CaseContext } from '../runner/types.ts';
import type { EmailLayout, SuiteKeyType } from '../runner/identities.ts';
import { check, describeReply, expectError, expectStatus } from '../runner/verify.ts';
import { announce, announceChecked, defineCases, PATHS, register, registeredPeer, sampleBroadcast, subCases, table } from './steps.ts';

function layoutCase(layout: EmailLayout) {
  return {
    id: `REG-3/email-${layout}`,
    requirements: ['REG-3', 'REG-1'],
    title: `email in ${layout} is accepted`,
    async run(context: CaseContext) {
      const identity = context.identities.create({ email: context.newEmail('layout'), layout });
      const body = expectStatus(await register(context, identity), 200, `register with the email in ${layout}`);
      check(body.email === identity.email, `"email": "${identity.email}"`, `"email": ${JSON.stringify(body.email)}`);
    },
  };
}

function keyTypeCase(requirement: string, keyType: SuiteKeyType) {
  return {
    id: `${requirement}/${keyType}`,
    requirements: [requirement],
    title: `${keyType} keys are accepted and authenticate`,
    async run(context: CaseContext) {
      const identity = context.identities.create({ email: context.newEmail(keyType), keyType });
      expectStatus(await register(context, identity), 200, `register a ${keyType} certificate`);
      // Accepted means usable: the key must authenticate over TLS too.
      await announceChecked(context, identity, sampleBroadcast(context), `ready authenticated by the ${keyType} certificate`);
      context.fact(`key type ${keyType}`, 'accepted');
    },
  };
}

/**
 * A refusal proves nothing from a relay that refuses everything: refusal
 * cases first register a valid identity, and are blocked (not passed) when
 * even that is refused.
 */
async function controlRegistration(context: CaseContext): Promise<void> {
  await registeredPeer(context, { tag: 'control' });
}

function invalidCertificateCase(slug: string, title: string, mangle: (pem: string) => string) {
  return {
    id: `REG-2/${slug}`,
    requirements: ['REG-2'],
    title,
    async run(context: CaseContext) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('badcert') });
      // Presenting the certificate the body was made from (REG-13/REG-14): the mangled body is what is refused.
      const reply = await context.client.post(PATHS.register, { certificate: mangle(identity.certificatePem), email: identity.email }, identity);
      expectError(reply, 400, 'invalid_certificate', title);
    },
  };
}

function validityCase(validity: 'expired' | 'not-yet-valid') {
  return {
    id: `REG-8/${validity}`,
    requirements: ['REG-8'],
    title: `an ${validity} certificate is refused`,
    async run(context: CaseContext) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail(validity), validity });
      const reply = await register(context, identity);
      context.fact(`${validity} certificates`, reply.status === 200 ? 'accepted' : 'refused');
      expectError(reply, 400, 'certificate_not_valid_now', `register an ${validity} certificate`);
    },
  };
}

export default defineCases([
  {
    id: 'REG-1/registered',
    requirements: ['REG-1'],
    title: 'a valid registration answers 200 with status, email and id',
    async run(context) {
      const identity = context.identities.create({ email: context.newEmail('reg') });
      const reply = await register(context, identity);
      const body = expectStatus(reply, 200, 'register a fresh certificate');
      check(body.status === 'registered' && body.email === identity.email && typeof body.id === 'string' && body.id.length > 0,
        `{"status":"registered","email":"${identity.email}","id":<string>}`, describeReply(reply));
    },
  },
  invalidCertificateCase('not-pem', 'a certificate that is not PEM is refused', () => 'hello, I am a certificate'),
  invalidCertificateCase('truncated', 'a truncated PEM is refused', (pem) => pem.slice(0, Math.floor(pem.length / 2))),
  invalidCertificateCase('two-blocks', 'two PEM blocks are refused', (pem) => pem + pem),
  invalidCertificateCase('garbage-base64', 'a PEM block of random bytes is refused', () => `-----BEGIN CERTIFICATE-----\n${Buffer.alloc(300, 7).toString('base64')}\n-----END CERTIFICATE-----\n`),
  {
    id: 'REG-2/bad-signature',
    requirements: ['REG-2'],
    title: 'a certificate whose self-signature does not verify is refused',
    async run(context) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('tampered'), tampered: true });
      expectError(await register(context, identity), 400, 'invalid_certificate', 'register a certificate with a corrupted signature');
    },
  },
  layoutCase('cn-only'),
  layoutCase('san-only'),
  layoutCase('emailAddress-before-cn'),
  layoutCase('emailAddress-after-cn'),
  layoutCase('emailAddress-only'),
  {
    id: 'REG-4/email-nowhere',
    requirements: ['REG-4'],
    title: 'an email the certificate does not carry is refused',
    async run(context) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('nowhere'), layout: 'nowhere' });
      expectError(await register(context, identity), 400, 'email_mismatch', 'register with an email absent from the certificate');
    },
  },
  {
    id: 'REG-4/other-email',
    requirements: ['REG-4'],
    title: "another peer's email is refused",
    async run(context) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('mine') });
      expectError(await register(context, identity, context.newEmail('theirs')), 400, 'email_mismatch', 'register claiming an email not in the certificate');
    },
  },
  ...subCases({ id: 'REG-5/invalid-email', requirements: ['REG-5'], title: (label) => `"email": ${label} is refused` },
    table<unknown>([undefined, 42, null, '', 'not-an-email', 'two@@example.com', 'spaces in@example.com']),
    async (context, email, label) => {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('bademail') });
      const reply = await context.client.post(PATHS.register, { certificate: identity.certificatePem, email }, identity);
      expectError(reply, 400, 'invalid_email', `register with "email": ${label}`);
    }),
  {
    id: 'REG-6/upper-case',
    requirements: ['REG-6', 'REG-7'],
    title: 'emails are stored lower-case and unique whatever their case',
    async run(context) {
      const email = context.newEmail('Case').toUpperCase();
      const first = context.identities.create({ email });
      const body = expectStatus(await register(context, first), 200, `register ${email}`);
      check(body.email === email.toLowerCase(), `"email": "${email.toLowerCase()}"`, `"email": ${JSON.stringify(body.email)}`);
      const second = context.identities.create({ email: email.toLowerCase() });
      expectError(await register(context, second), 409, 'email_taken', `register ${email.toLowerCase()} with another key`);
    },
  },
  {
    id: 'REG-7/same-email-other-key',
    requirements: ['REG-7'],
    title: 'an email registered by another key is taken',
    async run(context) {
      const first = await registeredPeer(context, { tag: 'taken' });
      const second = context.identities.create({ email: first.email });
      expectError(await register(context, second), 409, 'email_taken', 'register the same email with a second key');
    },
  },
  {
    id: 'REG-7/same-certificate-twice',
    requirements: ['REG-7'],
    title: 'the same certificate and email registered twice is taken',
    async run(context) {
      const identity = await registeredPeer(context, { tag: 'twice' });
      expectError(await register(context, identity), 409, 'email_taken', 'register the same certificate and email again');
    },
  },
  {
    id: 'REG-7/same-certificate-other-email',
    requirements: ['REG-7'],
    title: 'the same certificate under a second email it carries is refused',
    async run(context) {
      const second = context.newEmail('second');
      const identity = context.identities.create({ email: context.newEmail('first'), extraSanEmails: [second] });
      expectStatus(await register(context, identity), 200, 'register the certificate under its first email');
      expectError(await register(context, identity, second), 409, 'certificate_already_registered', 'register it again under its second email');
    },
  },
  validityCase('expired'),
  validityCase('not-yet-valid'),
  keyTypeCase('REG-9', 'rsa-2048'),
  keyTypeCase('REG-9', 'ecdsa-p256'),
  {
    id: 'REG-10/rsa-1024',
    requirements: ['REG-10'],
    title: 'RSA keys under 2048 bits are refused',
    async run(context) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('rsa1024'), keyType: 'rsa-1024' });
      expectError(await register(context, identity), 400, 'unsupported_key_type', 'register an RSA-1024 certificate');
    },
  },
  {
    id: 'REG-11/ed25519',
    requirements: ['REG-11'],
    title: 'Ed25519 keys are accepted, or refused with unsupported_key_type',
    async run(context) {
      await controlRegistration(context);
      const identity = context.identities.create({ email: context.newEmail('ed25519'), keyType: 'ed25519' });
      const reply = await register(context, identity);
      if (reply.status === 200) {
        await announceChecked(context, identity, sampleBroadcast(context), 'ready authenticated by the accepted Ed25519 certificate');
        context.fact('key type ed25519', 'accepted');
        return;
      }
      context.fact('key type ed25519', 'refused');
      expectError(reply, 400, 'unsupported_key_type', 'register an Ed25519 certificate (either 200, or refused)');
    },
  },
  {
    id: 'REG-12/plus-address',
    requirements: ['REG-12'],
    title: 'plus-addressed emails are distinct identities',
    async run(context) {
      const base = context.newEmail('plus');
      const [local, domain] = base.split('@');
      const plus = `${local}+tag@${domain}`;
      const plain = await registeredPeer(context, { email: base });
      const tagged = await registeredPeer(context, { email: plus });
      const announced = await announce(context, tagged);
      const reply = await context.client.get(`${PATHS.lookup}?email=${encodeURIComponent(plus)}`, plain);
      const body = expectStatus(reply, 200, `lookup ${plus}`);
      check(body.email === plus && body.port === announced.broadcast.port, `"email": "${plus}", "port": ${announced.broadcast.port}`, describeReply(reply));
    },
  },
]);
