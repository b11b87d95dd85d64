/**
 * SPEC REG-13, REG-14: proof of possession on register. A relay that sees a
 * client certificate on register must find it equal to the one in the body;
 * it may refuse registrations that present none.
 */
import { check, describeReply, expectError, expectStatus } from '../runner/verify.ts';
import { currentRecorder } from '../runner/recorder.ts';
import { defineCases, PATHS, register } from './steps.ts';

export default defineCases([
  {
    id: 'REG-13/presented-other-certificate',
    requirements: ['REG-13'],
    title: 'a registration presenting one certificate over TLS and another in the body is refused, and registers nothing',
    async run(context) {
      const presenter = context.identities.create({ email: context.newEmail('presenter') });
      const victim = context.identities.create({ email: context.newEmail('victim') });
      const reply = await context.client.post(PATHS.register, { certificate: victim.certificatePem, email: victim.email }, presenter);
      expectError(reply, 400, 'certificate_mismatch', `register ${victim.email}'s certificate while presenting ${presenter.email}'s`);
      // Refused means not stored (ERR-7): the owner can still register it, presenting it.
      const own = await register(context, victim);
      expectStatus(own, 200, `register ${victim.email} afterwards, presenting its own certificate`, 'ERR-7');
    },
  },
  {
    id: 'REG-14/anonymous-registration',
    requirements: ['REG-14', 'REG-1'],
    title: 'a registration presenting no certificate is taken (200), or refused with 401 client_certificate_required by a relay that requires possession',
    async run(context) {
      const identity = context.identities.create({ email: context.newEmail('anonymous') });
      const reply = await context.client.post(PATHS.register, { certificate: identity.certificatePem, email: identity.email }, null);
      if (reply.status === 401) {
        context.fact('proof of possession on register', 'required (anonymous registrations refused)');
        expectError(reply, 401, 'client_certificate_required', 'register presenting no certificate, on a relay that requires possession');
        return;
      }
      context.fact('proof of possession on register', reply.status === 200 ? 'not required' : `HTTP ${reply.status}`);
      const body = expectStatus(reply, 200, 'register presenting no certificate: HTTP 200, or 401 client_certificate_required', 'REG-1');
      check(body.status === 'registered' && body.email === identity.email, `{"status":"registered","email":"${identity.email}",…}`, describeReply(reply), 'REG-1');
      // REG-14 is a MAY: a relay that takes anonymous registrations meets it as well as one that refuses them.
      currentRecorder()?.pass('REG-14');
    },
  },
]);
