/** SPEC LOOKUP-*: finding a peer (`GET /api/relay/broadcast/lookup?email=`). */
import { check, describeReply, expectError, expectStatus, isInteger, sameJson } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, PATHS, registeredPeer, subCases } from './steps.ts';

export default defineCases([
  {
    id: 'LOOKUP-1/online',
    requirements: ['LOOKUP-1', 'GEN-1'],
    title: 'a live peer is returned with its port, addresses and times',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'lookup' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const announced = await announce(context, peer);
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, `lookup ${peer.email}`);
      const expected = { email: peer.email, status: 'online', port: announced.broadcast.port, addresses: announced.broadcast.addresses };
      check(sameJson(expected, { email: body.email, status: body.status, port: body.port, addresses: body.addresses }), JSON.stringify(expected), describeReply(reply));
      check(isInteger(body.last_seen) && isInteger(body.broadcast_expires), '"last_seen" and "broadcast_expires" as integer unix seconds', describeReply(reply));
      const nowSeconds = Date.now() / 1000;
      check(Math.abs((body.last_seen as number) - nowSeconds) < 3600 * 24 * 366 * 20, '"last_seen" in unix seconds (not milliseconds)', describeReply(reply));
      check((reply.headers['content-type'] ?? '').includes('application/json'), 'Content-Type: application/json', `Content-Type: ${reply.headers['content-type'] ?? 'absent'}`);
    },
  },
  {
    id: 'LOOKUP-2/case-insensitive',
    requirements: ['LOOKUP-2', 'REG-6'],
    title: 'lookup matches the email whatever its case and answers lower case',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'mixed' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      await announce(context, peer);
      const shouted = peer.email.toUpperCase();
      const reply = await context.client.get(lookupPath(shouted), observer);
      const body = expectStatus(reply, 200, `lookup ${shouted}`);
      check(body.email === peer.email, `"email": "${peer.email}"`, describeReply(reply));
    },
  },
  {
    id: 'LOOKUP-3/never-registered',
    requirements: ['LOOKUP-3'],
    title: 'an email never registered is not found',
    async run(context) {
      const observer = await registeredPeer(context, { tag: 'observer' });
      expectError(await context.client.get(lookupPath(context.newEmail('nobody')), observer), 404, 'peer_not_found', 'lookup an email never registered');
    },
  },
  {
    id: 'LOOKUP-3/registered-not-announced',
    requirements: ['LOOKUP-3'],
    title: 'a registered peer that never sent ready is not found',
    async run(context) {
      const observer = await registeredPeer(context, { tag: 'observer' });
      const silent = await registeredPeer(context, { tag: 'silent' });
      expectError(await context.client.get(lookupPath(silent.email), observer), 404, 'peer_not_found', 'lookup a registered peer that never sent ready');
    },
  },
  ...subCases({ id: 'LOOKUP-4/bad-parameter', requirements: ['LOOKUP-4'], title: (label) => `lookup with ${label} is refused` }, [
    { label: 'no email parameter', value: { query: '', code: 'missing_email' } },
    { label: 'empty email', value: { query: '?email=', code: 'missing_email' } },
    { label: 'not-an-email', value: { query: '?email=not-an-email', code: 'invalid_email' } },
    { label: 'two at signs', value: { query: `?email=${encodeURIComponent('a@@example.com')}`, code: 'invalid_email' } },
  ], async (context, { query, code }, label) => {
    const observer = await registeredPeer(context, { tag: 'observer' });
    expectError(await context.client.get(`${PATHS.lookup}${query}`, observer), 400, code, `lookup with ${label}`);
  }),
  {
    id: 'LOOKUP-5/capabilities-absent',
    requirements: ['LOOKUP-5'],
    title: 'no capabilities field when the broadcast had none',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'nocaps' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      await announce(context, peer, { port: 5000, addresses: ['192.168.1.5'] });
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, `lookup ${peer.email}`);
      check(!('capabilities' in body), 'no "capabilities" field', describeReply(reply));
    },
  },
  {
    id: 'LOOKUP-5/capabilities-present',
    requirements: ['LOOKUP-5'],
    title: 'the capabilities field is there when the broadcast had them',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'caps' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const capabilities = { files: true, protocol: 2 };
      await announce(context, peer, { port: 5001, addresses: ['192.168.1.6'], capabilities });
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, `lookup ${peer.email}`, 'LOOKUP-1');
      check(sameJson(body.capabilities, capabilities), `"capabilities": ${JSON.stringify(capabilities)}`, describeReply(reply));
    },
  },
  {
    id: 'LOOKUP-6/expiry-minus-last-seen-is-ttl',
    requirements: ['LOOKUP-6'],
    title: 'broadcast_expires − last_seen equals expires_in',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'times' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const announced = await announce(context, peer);
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, `lookup ${peer.email}`);
      const span = (body.broadcast_expires as number) - (body.last_seen as number);
      check(Math.abs(span - announced.expiresInSeconds) <= 1, `broadcast_expires − last_seen = ${announced.expiresInSeconds} (± 1)`, `${String(body.broadcast_expires)} − ${String(body.last_seen)} = ${span}`);
    },
  },
]);
