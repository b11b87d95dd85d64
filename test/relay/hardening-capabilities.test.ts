/**
 * Hardening item 6 (SPEC READY-5): accepted capabilities come back from
 * lookup unchanged, so capabilities JSON.parse would change (overflowing,
 * rounded or negative-zero numbers, duplicate keys) are refused with 400
 * invalid_capabilities, judged on the raw body text; ordinary ones round-trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../reference/identity/identity-files.ts';
import { startRelayFixture, type RelayFixture } from '../support/relay-fixture.ts';

let f: RelayFixture;
let announcer: Identity;
let looker: Identity;
beforeAll(async () => {
  f = await startRelayFixture();
  announcer = f.identity();
  looker = f.identity();
  for (const who of [announcer, looker]) {
    expect((await f.raw('POST', '/api/relay/register', { body: JSON.stringify({ certificate: who.certificatePem, email: who.email }) })).status).toBe(200);
  }
});
afterAll(() => f.close());

/** A ready whose capabilities are `capabilitiesText`, byte for byte. */
const ready = (capabilitiesText: string) => f.raw('POST', '/api/relay/broadcast/ready', { identity: announcer, body: `{"port":4242,"addresses":["127.0.0.1"],"capabilities":${capabilitiesText}}` });

describe('capabilities that would not come back as sent are refused', () => {
  it.each([
    ['a number that overflows to null', '{"size":1e400}'],
    ['a negative overflow', '{"size":-1e400}'],
    ['an integer above 2^53 that would be rounded', '{"id":9007199254740993}'],
    ['a long integer', '{"id":123456789012345678901234567890}'],
    ['negative zero', '{"offset":-0}'],
    ['negative zero with a fraction', '{"offset":-0.0}'],
    ['a number that underflows to 0', '{"tiny":1e-400}'],
    ['a decimal with more digits than a double holds', '{"ratio":0.10000000000000001}'],
    ['a deep rounded number', '{"a":{"b":[1,2,{"c":[9007199254740993]}]}}'],
    ['a duplicate key', '{"a":1,"a":2}'],
    ['a duplicate key spelled with an escape', '{"a":1,"\\u0061":2}'],
    ['a nested duplicate key', '{"outer":{"x":true,"y":null,"x":false}}'],
  ])('%s: 400 invalid_capabilities', async (_what, text) => {
    expect(await ready(text)).toMatchObject({ status: 400, body: { code: 'invalid_capabilities' } });
  });

  it('"capabilities" given twice: 400 invalid_capabilities', async () => {
    const reply = await f.raw('POST', '/api/relay/broadcast/ready', { identity: announcer, body: '{"port":4242,"addresses":["127.0.0.1"],"capabilities":{"v":1},"capabilities":{"v":2}}' });
    expect(reply).toMatchObject({ status: 400, body: { code: 'invalid_capabilities' } });
  });
});

describe('ordinary capabilities still round-trip', () => {
  const filler = (bytes: number) => {
    // {"pad":"...ééé"}: 2-byte characters and ASCII to land on an exact byte count.
    const shell = Buffer.byteLength('{"pad":""}');
    const twoByte = 'é'.repeat(Math.floor((bytes - shell) / 2));
    return JSON.stringify({ pad: twoByte + 'x'.repeat(bytes - shell - twoByte.length * 2) });
  };
  it.each([
    ['nested objects and arrays', '{"proto":{"v":[1,2,{"deep":{"deeper":[true,false,null]}}]},"empty":{},"list":[]}'],
    ['unicode, escaped and not', '{"name":"Zoë \\u00e9 😀 \\ud83d\\ude00","nul":"\\u0000","quote":"\\"","emoji 🔑":"key"}'],
    ['numbers JSON.parse holds exactly', '{"ints":[0,-1,9007199254740992,-9007199254740992,18014398509481984],"reals":[0.1,-2.5,1e300,5e-324,1.0,1E2,100e-2]}'],
    ['keys repeated in different objects', '{"a":{"x":1},"b":{"x":1},"x":[{"x":2},{"x":3}]}'],
    ['exactly 4096 bytes', filler(4096)],
  ])('%s', async (_what, text) => {
    if (_what === 'exactly 4096 bytes') expect(Buffer.byteLength(JSON.stringify(JSON.parse(text)))).toBe(4096);
    expect(await ready(text)).toMatchObject({ status: 200, body: { status: 'registered' } });
    const lookup = await f.raw('GET', `/api/relay/broadcast/lookup?email=${encodeURIComponent(announcer.email)}`, { identity: looker });
    expect(lookup.status).toBe(200);
    expect(lookup.body.capabilities).toStrictEqual(JSON.parse(text));
  });
});
