/** SPEC READY-*: announcing a broadcast (`POST /api/relay/broadcast/ready`). */
import type { CaseContext } from '../runner/types.ts';
import { check, describeReply, expectError, expectStatus, isInteger, sameJson } from '../runner/verify.ts';
import { announce, announceChecked, defineCases, lookupPath, PATHS, registeredPeer, sampleBroadcast, subCases, table, type Broadcast } from './steps.ts';

const SEVENTEEN_ADDRESSES = Array.from({ length: 17 }, (_, i) => `10.0.0.${i + 1}`);
const SIXTEEN_ADDRESSES = SEVENTEEN_ADDRESSES.slice(0, 16);

/** A capabilities object whose JSON encoding is exactly `bytes` long. */
export function capabilitiesOfSize(bytes: number): Record<string, unknown> {
  const overhead = JSON.stringify({ pad: '' }).length;
  return { pad: 'x'.repeat(bytes - overhead) };
}

/**
 * Looks the peer up and compares port, addresses and capabilities with
 * what was sent. `requirements` names what the comparison verifies: the
 * storing requirement (READY-n) and, for capabilities, LOOKUP-5 as well.
 */
async function expectLookup(context: CaseContext, email: string, expected: Broadcast, what: string, requirements: string[] = []): Promise<Record<string, unknown>> {
  const observer = await registeredPeer(context, { tag: 'observer' });
  const reply = await context.client.get(lookupPath(email), observer);
  const body = expectStatus(reply, 200, `lookup ${email}`, 'LOOKUP-1');
  const wanted = { port: expected.port, addresses: expected.addresses };
  const got = { port: body.port, addresses: body.addresses };
  check(sameJson(wanted, got), `${what}: ${JSON.stringify(wanted)}`, describeReply(reply), requirements[0] ?? null);
  const capabilitiesExpected = expected.capabilities === undefined ? 'no "capabilities" field' : `"capabilities": ${JSON.stringify(expected.capabilities).slice(0, 200)}`;
  const capabilitiesRight = expected.capabilities === undefined ? !('capabilities' in body) : sameJson(expected.capabilities, body.capabilities);
  for (const requirement of requirements.length > 0 ? requirements : [null]) check(capabilitiesRight, `${what}: ${capabilitiesExpected}`, describeReply(reply), requirement);
  return body;
}

/** Each invalid value of a field is its own sub-case: one refusal never hides the next input's 500. */
function invalidFieldCases(requirement: string, field: string, code: string, values: Array<ReturnType<typeof table<unknown>>[number]>) {
  return subCases({ id: `${requirement}/invalid-${field}`, requirements: [requirement], title: (label) => `"${field}": ${label} is refused with ${code}` }, values, async (context, value, label) => {
    const peer = await registeredPeer(context, { tag: 'invalid' });
    const body: Record<string, unknown> = { ...sampleBroadcast(context) };
    if (value === undefined) delete body[field];
    else body[field] = value;
    expectError(await context.client.post(PATHS.ready, body, peer), 400, code, `ready with "${field}": ${label}`);
  });
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
  ...invalidFieldCases('READY-2', 'port', 'invalid_port', table([undefined, 0, 65536, -1, 1.5, 3.5, '8080', null, true, 1e12, [8080]])),
  ...invalidFieldCases('READY-3', 'addresses', 'invalid_addresses', [
    ...table([undefined, []]),
    { label: '17 addresses', value: SEVENTEEN_ADDRESSES },
    ...table([['localhost'], ['peer.example.com'], ['banana'], ['<script>'], ['01.2.3.4'], ['256.1.1.1'], ['1.2.3'],
      ['fe80::1%eth0'], [42], [null], '192.168.1.2', ['192.168.1.2', 'nope'], ['[::1]'], ['1.2.3.4:80']]),
  ]),
  ...invalidFieldCases('READY-5', 'capabilities', 'invalid_capabilities', [
    ...table([[], null, 'files', 42, true]),
    { label: '4097 bytes', value: capabilitiesOfSize(4097) },
    { label: '8000 bytes', value: capabilitiesOfSize(8000) },
  ]),
  {
    id: 'READY-4/order-and-duplicates-kept',
    requirements: ['READY-4', 'LOOKUP-1'],
    title: 'addresses come back in the order sent, duplicates kept',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'order' });
      const broadcast = { port: 40123, addresses: ['203.0.113.9', '2001:db8::7', '10.1.2.3', '203.0.113.9', '::1', '192.168.0.4', '10.1.2.3'] };
      await announce(context, peer, broadcast);
      await expectLookup(context, peer.email, broadcast, 'addresses as sent', ['READY-4']);
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
      await expectLookup(context, peer.email, broadcast, 'the capabilities sent', ['READY-5', 'LOOKUP-5']);
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
      await expectLookup(context, peer.email, second, 'only the second broadcast (no capabilities)', ['READY-6', 'LOOKUP-5']);
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
      await expectLookup(context, peer.email, broadcast, 'the broadcast without the unknown fields', ['READY-7']);
    },
  },
  ...subCases({ id: 'READY-8/inclusive-limits', requirements: ['READY-8'], title: (label) => `${label} are accepted and stored whole` }, [
    { label: '16 addresses', value: { port: 8080, addresses: SIXTEEN_ADDRESSES } as Broadcast },
    { label: 'port 1', value: { port: 1, addresses: ['192.0.2.1'] } as Broadcast },
    { label: 'port 65535', value: { port: 65535, addresses: ['::ffff:192.0.2.1'] } as Broadcast },
    { label: 'capabilities of 4096 bytes', value: { port: 8080, addresses: ['192.0.2.1'], capabilities: capabilitiesOfSize(4096) } as Broadcast },
  ], async (context, broadcast, label) => {
    const peer = await registeredPeer(context, { tag: 'limits' });
    await announceChecked(context, peer, broadcast, `ready with ${label}`);
    // Accepting is half of it: all 16 addresses (or the whole 4096 bytes) must come back, not a prefix.
    await expectLookup(context, peer.email, broadcast, `the broadcast with ${label}, whole`, ['READY-8']);
  }),
]);
