/** SPEC READY-*: announcing a broadcast (`POST /api/relay/broadcast/ready`). */
import type { CaseContext } from '../runner/types.ts';
import { check, describeReply, expectError, expectStatus, isInteger, sameJson } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, PATHS, registeredPeer, sampleBroadcast, type Broadcast } from './steps.ts';

const SEVENTEEN_ADDRESSES = Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}`);
const SIXTEEN_ADDRESSES = SEVENTEEN_ADDRESSES.slice(0, 16);

/** A capabilities object whose JSON encoding is exactly `bytes` long. */
export function capabilitiesOfSize(bytes: number): Record<string, unknown> {
  const overhead = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(bytes - overhead) };
}

async function expectLookup(context: CaseContext, email: string, expected: Broadcast, what: string): Promise<Record<string, unknown>> {
  const observer = await registeredPeer(context, { tag: 'observer' });
  const reply = await context.client.get(lookupPath(email), observer);
  const body = expectStatus(reply, 200, `lookup ${email}`);
  const wanted = { port: expected.port, addresses: expected.addresses, capabilities: expected.capabilities };
  const got = { port: body.port, addresses: body.addresses, capabilities: body.capabilities };
  check(sameJson(wanted, got), `${what}: ${JSON.stringify(wanted)}`, describeReply(reply));
  return body;
}

function invalidFieldCase(requirement: string, field: string, code: string, values: unknown[]) {
  return {
    id: `${requirement}/invalid-${field}`,
    requirements: [requirement, 'ERR-1'],
    title: `invalid "${field}" values are refused with ${code}`,
    async run(context: CaseContext) {
      const peer = await registeredPeer(context, { tag: 'invalid' });
      for (const value of values) {
        const body: Record<string, unknown> = { ...sampleBroadcast(context) };
        if (value === undefined) delete body[field];
        else body[field] = value;
        const shown = value === undefined ? 'absent' : JSON.stringify(value).slice(0, 80);
        expectError(await context.client.post(PATHS.ready, body, peer), 400, code, `ready with "${field}": ${shown}`);
      }
    },
  };
}

export default defineCases([
  {
    id: 'READY-1/accepted',
    requirements: ['READY-1'],
    title: 'a valid ready answers 200 with status, broadcast_id and expires_in',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'ready' });
      const reply = await context.client.post(PATHS.ready, sampleBroadcast(context), peer);
      const body = expectStatus(reply, 200, 'ready');
      check(body.status === 'registered' && typeof body.broadcast_id === 'string' && isInteger(body.expires_in) && (body.expires_in as number) > 0,
        '{"status":"registered","broadcast_id":<string>,"expires_in":<integer > 0>}', describeReply(reply));
    },
  },
  invalidFieldCase('READY-2', 'port', 'invalid_port', [undefined, 0, 65536, -1, 1.5, '8080', null, true, 1e12, [8080]]),
  invalidFieldCase('READY-3', 'addresses', 'invalid_addresses', [
    undefined, [], SEVENTEEN_ADDRESSES, ['localhost'], ['peer.example.com'], ['01.2.3.4'], ['256.1.1.1'], ['1.2.3'],
    ['fe80::1%eth0'], [42], [null], '192.168.1.2', ['192.168.1.2', 'nope'], ['[::1]'], ['1.2.3.4:80'],
  ]),
  invalidFieldCase('READY-5', 'capabilities', 'invalid_capabilities', [[], null, 'files', 42, true, capabilitiesOfSize(4097), capabilitiesOfSize(8000)]),
  {
    id: 'READY-4/order-and-duplicates-kept',
    requirements: ['READY-4', 'LOOKUP-1'],
    title: 'addresses come back in the order sent, duplicates kept',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'order' });
      const broadcast = { port: 40123, addresses: ['203.0.113.9', '2001:db8::7', '10.1.2.3', '203.0.113.9', '::1', '192.168.0.4', '10.1.2.3'] };
      await announce(context, peer, broadcast);
      await expectLookup(context, peer.email, broadcast, 'addresses as sent');
    },
  },
  {
    id: 'READY-5/capabilities-round-trip',
    requirements: ['READY-5', 'LOOKUP-5'],
    title: 'capabilities come back unchanged',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'caps' });
      const broadcast = { ...sampleBroadcast(context), capabilities: { files: true, version: 3, nested: { list: [1, 'two', null], ünï: 'cödé ✓' } } };
      await announce(context, peer, broadcast);
      await expectLookup(context, peer.email, broadcast, 'the capabilities sent');
    },
  },
  {
    id: 'READY-6/replaces-previous',
    requirements: ['READY-6', 'LOOKUP-5'],
    title: 'a second ready replaces the first broadcast',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'replace' });
      await announce(context, peer, { port: 1111, addresses: ['10.0.0.1'], capabilities: { old: true } });
      const second = { port: 2222, addresses: ['2001:db8::2', '192.168.5.5'] };
      await announce(context, peer, second);
      await expectLookup(context, peer.email, second, 'only the second broadcast (no capabilities)');
    },
  },
  {
    id: 'READY-7/unknown-fields-ignored',
    requirements: ['READY-7'],
    title: 'unknown body fields are ignored',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'unknown' });
      const broadcast = sampleBroadcast(context);
      const reply = await context.client.post(PATHS.ready, { ...broadcast, nickname: 'alice', future_field: { a: 1 } }, peer);
      expectStatus(reply, 200, 'ready with extra fields');
      await expectLookup(context, peer.email, broadcast, 'the broadcast without the unknown fields');
    },
  },
  {
    id: 'READY-8/inclusive-limits',
    requirements: ['READY-8'],
    title: '16 addresses, ports 1 and 65535, and 4096-byte capabilities are accepted',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'limits' });
      const broadcasts: Broadcast[] = [
        { port: 1, addresses: SIXTEEN_ADDRESSES },
        { port: 65535, addresses: ['::ffff:192.0.2.1'] },
        { port: 8080, addresses: ['192.0.2.1'], capabilities: capabilitiesOfSize(4096) },
      ];
      for (const broadcast of broadcasts) {
        const reply = await context.client.post(PATHS.ready, broadcast, peer);
        expectStatus(reply, 200, `ready with port ${broadcast.port}, ${broadcast.addresses.length} addresses, capabilities of ${JSON.stringify(broadcast.capabilities ?? null).length} bytes`);
      }
      await expectLookup(context, peer.email, broadcasts[2] as Broadcast, 'the last broadcast');
    },
  },
]);
