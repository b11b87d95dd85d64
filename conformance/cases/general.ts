/** SPEC GEN-*: transport and health. */
import { check, describeReply, expectStatus, NotApplicable } from '../runner/verify.ts';
import { announceChecked, defineCases, PATHS, registeredPeer, sampleBroadcast } from './steps.ts';

export default defineCases([
  {
    id: 'GEN-1/json-content-type',
    requirements: ['GEN-1'],
    title: 'answers are JSON with Content-Type application/json, errors included',
    async run(context) {
      // Endpoints of the SPEC, an error answer included; an unknown path's body is ERR-3/ERR-1 business, not GEN-1's.
      const replies = [await context.client.get(PATHS.health), await context.client.get(PATHS.list)];
      for (const reply of replies) {
        check((reply.headers['content-type'] ?? '').toLowerCase().startsWith('application/json') && reply.json !== undefined,
          `${reply.exchange.request.method} ${reply.exchange.request.path}: Content-Type application/json and a JSON body`,
          `Content-Type: ${reply.headers['content-type'] ?? 'absent'}; ${describeReply(reply)}`);
      }
    },
  },
  {
    id: 'GEN-2/health',
    requirements: ['GEN-2'],
    title: 'GET /api/health answers 200 {"status":"ok"} without a certificate',
    async run(context) {
      const reply = await context.client.get(PATHS.health);
      const body = expectStatus(reply, 200, 'GET /api/health');
      check(body.status === 'ok', '{"status":"ok"}', describeReply(reply));
    },
  },
  {
    id: 'GEN-3/self-signed-client-certificates',
    requirements: ['GEN-3'],
    title: 'self-signed client certificates are accepted in the TLS handshake',
    async run(context) {
      if (context.client.auth.kind !== 'mtls') throw new NotApplicable('the suite authenticates through a header (--auth header:…): the TLS handshake with client certificates is the proxy’s, not the relay’s');
      for (const keyType of ['ecdsa-p256', 'rsa-2048'] as const) {
        const peer = await registeredPeer(context, { tag: `tls-${keyType}`, keyType });
        await announceChecked(context, peer, sampleBroadcast(context), `ready over TLS with a self-signed ${keyType} client certificate`);
      }
    },
  },
]);
