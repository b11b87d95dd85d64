import { describe, expect, it } from 'vitest';
import { capabilitiesRoundTripProblem, checkClockAdvance, checkListLimit, checkLookupEmail, checkReadyPayload, checkRegisterPayload, checkRenewPayload, numberRoundTripProblem, parseJsonObject, type Checked } from './validate.ts';

/*
 * The answers the relay gave before its checks moved to zod schemas,
 * recorded from the hand-written checks then (code: message, or the value
 * accepted): clients and the conformance suite depend on every code, and
 * people read the messages. Inputs and answers are parallel lists.
 */
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const ip = (i: number) => `192.0.2.${i}`;
const deep = (n: number): unknown => (n <= 1 ? {} : { a: deep(n - 1) });
const register = [
  '{}', '{"email":5}', '{"email":null}', '{"email":"x"}', '{"email":""}', '{"email":"a@b"}', '{"certificate":"x"}',
  `{"email":"A@B.test","certificate":""}`, `{"email":"a@b.test","certificate":5}`, `{"email":"a@b.test"}`,
  `{"email":" Bob.Smith+Tag@Example.TEST ","certificate":${JSON.stringify(PEM)}}`, `{"email":"${'a'.repeat(250)}@b.test","certificate":"x"}`,
  `{"email":"\\u202Etset@b.test","certificate":"x"}`, `{"email":["a@b.test"],"certificate":"x"}`, `{"email":"a@b.test","certificate":"x","extra":1}`,
];
const renew = [
  '{}', '{"certificate":"x"}', '{"certificate":"x","email":5}', '{"certificate":"x","email":null}', '{"certificate":"x","email":"A@B.Test"}',
  '{"certificate":"","email":"bad"}', '{"certificate":7}', '{"email":"a@b.test"}', '{"certificate":"x","email":""}',
];
const ready = [
  '{}', '{"port":0,"addresses":["1.2.3.4"]}', '{"port":65536,"addresses":["1.2.3.4"]}', '{"port":1.5,"addresses":["1.2.3.4"]}',
  '{"port":"8080","addresses":["1.2.3.4"]}', '{"port":null}', '{"port":true}', '{"port":[]}', '{"port":{}}', '{"port":-1}', '{"port":1e400}',
  `{"port":"${'x'.repeat(100)}"}`, `{"port":${'['.repeat(20)}${']'.repeat(20)}}`, `{"port":{"a":${JSON.stringify(deep(12))}}}`,
  '{"port":1}', '{"port":65535,"addresses":[]}', '{"port":80,"addresses":"1.2.3.4"}', '{"port":80,"addresses":[1]}', '{"port":80,"addresses":["1.1.1.1","host.test"]}',
  `{"port":80,"addresses":${JSON.stringify(Array.from({ length: 17 }, (_, i) => ip(i)))}}`, `{"port":80,"addresses":${JSON.stringify(Array.from({ length: 16 }, (_, i) => ip(i)))}}`,
  `{"port":80,"addresses":${JSON.stringify(['x', ...Array.from({ length: 20 }, (_, i) => ip(i))])}}`, '{"port":80,"addresses":[null]}', '{"port":80,"addresses":["01.1.1.1"]}',
  '{"port":80,"addresses":["fe80::1%eth0"]}', '{"port":80,"addresses":["::ffff:192.0.2.1","2001:db8::1","1.1.1.1","1.1.1.1"]}', '{"port":80,"addresses":{"0":"1.1.1.1"}}',
  `{"port":80,"addresses":["1.1.1.1",${JSON.stringify('y'.repeat(100))}]}`, '{"port":80,"addresses":["1.1.1.1",[[[[[[[[[[1]]]]]]]]]]]}',
  '{"port":80,"addresses":["1.1.1.1"],"capabilities":null}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":[]}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":"x"}',
  '{"port":80,"addresses":["1.1.1.1"],"capabilities":5}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":{}}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"v":1,"l":[1,2,{"x":null}]}}',
  `{"port":80,"addresses":["1.1.1.1"],"capabilities":${JSON.stringify(deep(32))}}`, `{"port":80,"addresses":["1.1.1.1"],"capabilities":${JSON.stringify(deep(33))}}`,
  `{"port":80,"addresses":["1.1.1.1"],"capabilities":{"a":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
  `{"port":80,"addresses":["1.1.1.1"],"capabilities":{"s":"${'x'.repeat(4096 - 8)}"}}`, `{"port":80,"addresses":["1.1.1.1"],"capabilities":{"s":"${'x'.repeat(4096 - 7)}"}}`,
  '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"n":1e400}}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"a":1,"a":2}}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"n":-0}}',
  '{"port":80,"addresses":["1.1.1.1"],"capabilities":{},"capabilities":{}}', '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"__proto__":{"x":1},"y":2}}',
  '{"port":0,"addresses":[],"capabilities":[]}', '{"port":80,"addresses":[],"capabilities":[]}', '{"port":80,"addresses":["1.1.1.1"],"unknown":{"a":1,"a":2}}',
];
const limits = [null, '', '0', '1', '100', '1000', '1001', '9999999', '99999999', 'abc', '-1', '1.5', ' 1', '0001', '1e3', '٣'];
const lookups = [null, '', '   ', 'x', 'A@B.test', ' Mixed.Case@Example.TEST ', 'a@b', `${'z'.repeat(200)}`, 'a b@c.test', 'a@b.test\u0000'];
const clocks = ['{}', '{"advance_seconds":0}', '{"advance_seconds":-1}', '{"advance_seconds":"5"}', '{"advance_seconds":1e400}', '{"advance_seconds":315360001}', '{"advance_seconds":315360000}', '{"advance_seconds":0.001}', '{"advance_seconds":null}', '{"advance_seconds":60}'];
// "__proto__" is an own member after JSON.parse; the limits must see it too (zod's own copy leaves it out).
ready.push(`{"port":80,"addresses":["1.1.1.1"],"capabilities":{"__proto__":${JSON.stringify(deep(40))}}}`, `{"port":80,"addresses":["1.1.1.1"],"capabilities":{"__proto__":{"s":"${'x'.repeat(5000)}"}}}`);

const EXPECTED: Record<string, Array<string | [string, unknown]>> = {
  register: [
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    ["ok",{"certificatePem":"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n","email":"bob.smith+tag@example.test"}],
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    "invalid_email: \"email\" must be an email address string",
    ["ok",{"certificatePem":"x","email":"a@b.test"}],
  ],
  renew: [
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    ["ok",{"certificatePem":"x","email":null}],
    "invalid_email: \"email\", when sent, must be an email address string",
    "invalid_email: \"email\", when sent, must be an email address string",
    ["ok",{"certificatePem":"x","email":"a@b.test"}],
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    "invalid_certificate: \"certificate\" must be a PEM-encoded X.509 certificate string",
    "invalid_email: \"email\", when sent, must be an email address string",
  ],
  ready: [
    "invalid_port: \"port\" must be an integer from 1 to 65535, got undefined",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got 0",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got 65536",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got 1.5",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got \"8080\"",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got null",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got true",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got []",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got {}",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got -1",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got null",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got a deeply nested array",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got a deeply nested object",
    "invalid_addresses: \"addresses\" must be a non-empty array of IP address strings",
    "invalid_addresses: \"addresses\" must be a non-empty array of IP address strings",
    "invalid_addresses: \"addresses\" must be a non-empty array of IP address strings",
    "invalid_addresses: \"addresses\"[0] is not an IPv4 or IPv6 literal: 1",
    "invalid_addresses: \"addresses\"[1] is not an IPv4 or IPv6 literal: \"host.test\"",
    "invalid_addresses: \"addresses\" holds 17 entries; at most 16 are allowed",
    "ok",
    "invalid_addresses: \"addresses\" holds 21 entries; at most 16 are allowed",
    "invalid_addresses: \"addresses\"[0] is not an IPv4 or IPv6 literal: null",
    "invalid_addresses: \"addresses\"[0] is not an IPv4 or IPv6 literal: \"01.1.1.1\"",
    "invalid_addresses: \"addresses\"[0] is not an IPv4 or IPv6 literal: \"fe80::1%eth0\"",
    "ok",
    "invalid_addresses: \"addresses\" must be a non-empty array of IP address strings",
    "invalid_addresses: \"addresses\"[1] is not an IPv4 or IPv6 literal: \"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...",
    "invalid_addresses: \"addresses\"[1] is not an IPv4 or IPv6 literal: a deeply nested array",
    "invalid_capabilities: \"capabilities\" must be a JSON object when present",
    "invalid_capabilities: \"capabilities\" must be a JSON object when present",
    "invalid_capabilities: \"capabilities\" must be a JSON object when present",
    "invalid_capabilities: \"capabilities\" must be a JSON object when present",
    "ok",
    "ok",
    "ok",
    "invalid_capabilities: \"capabilities\" nests deeper than 32 levels",
    "invalid_capabilities: \"capabilities\" nests deeper than 32 levels",
    "ok",
    "invalid_capabilities: \"capabilities\" is 4097 bytes of JSON; at most 4096 are allowed",
    "invalid_capabilities: \"capabilities\" would not be returned as sent: the number 1e400 is out of range (it would come back as null)",
    "invalid_capabilities: \"capabilities\" would not be returned as sent: the key \"a\" appears twice in one object (only the last would be kept)",
    "invalid_capabilities: \"capabilities\" would not be returned as sent: the number -0 cannot be held exactly (it would come back as 0)",
    "invalid_capabilities: \"capabilities\" would not be returned as sent: \"capabilities\" is given twice (only the last would be kept)",
    "ok",
    "invalid_port: \"port\" must be an integer from 1 to 65535, got 0",
    "invalid_addresses: \"addresses\" must be a non-empty array of IP address strings",
    "ok",
  ],
  limit: [
    ["ok",100],
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got 0",
    ["ok",1],
    ["ok",100],
    ["ok",1000],
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got 1001",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got 9999999",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"99999999\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"abc\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"-1\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"1.5\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \" 1\"",
    ["ok",1],
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"1e3\"",
    "invalid_limit: \"limit\" must be an integer from 1 to 1000, got \"٣\"",
  ],
  lookup: [
    "missing_email: the \"email\" query parameter is required",
    "missing_email: the \"email\" query parameter is required",
    "missing_email: the \"email\" query parameter is required",
    "invalid_email: \"x\" is not an email address",
    ["ok","a@b.test"],
    ["ok","mixed.case@example.test"],
    "invalid_email: \"a@b\" is not an email address",
    "invalid_email: \"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\" is not an email address",
    "invalid_email: \"a b@c.test\" is not an email address",
    "invalid_email: \"a@b.test\u0000\" is not an email address",
  ],
  clock: [
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    ["ok",315360000],
    ["ok",0.001],
    "invalid_clock_advance: \"advance_seconds\" must be a positive number of seconds, at most 315360000 (ten years)",
    ["ok",60],
  ],
};
EXPECTED.ready!.push('invalid_capabilities: "capabilities" nests deeper than 32 levels', 'invalid_capabilities: "capabilities" is 5022 bytes of JSON; at most 4096 are allowed');

function shown(checked: Checked<unknown>): string | [string, unknown] {
  if (checked.ok) return ['ok', checked.value];
  const body = checked.response.body as { code: string; error: string };
  expect(checked.response.status).toBe(400);
  return `${body.code}: ${body.error}`;
}
const object = (text: string) => parseJsonObject(text).ok ? (parseJsonObject(text) as { value: Record<string, unknown> }).value : {};

describe('request checks keep every code and message they had', () => {
  const groups: Record<string, Array<[unknown, () => Checked<unknown>]>> = {
    register: register.map((t) => [t, () => checkRegisterPayload(object(t))]),
    renew: renew.map((t) => [t, () => checkRenewPayload(object(t))]),
    ready: ready.map((t) => [t, () => checkReadyPayload(object(t), t)]),
    limit: limits.map((t) => [t, () => checkListLimit(t)]),
    lookup: lookups.map((t) => [t, () => checkLookupEmail(t)]),
    clock: clocks.map((t) => [t, () => checkClockAdvance(object(t))]),
  };
  for (const [group, cases] of Object.entries(groups)) {
    it(`${group}: ${cases.length} inputs`, () => {
      const expected = EXPECTED[group] ?? [];
      expect(cases.length).toBe(expected.length);
      cases.forEach(([input, run], i) => {
        const answer = shown(run());
        const want = expected[i];
        if (want === 'ok') {
          // A ready accepted: exactly what was sent, capabilities as sent or null.
          const sent = JSON.parse(input as string) as Record<string, unknown>;
          expect(answer, String(input).slice(0, 120)).toEqual(['ok', { port: sent.port, addresses: sent.addresses, capabilities: sent.capabilities ?? null }]);
        } else {
          expect(answer, String(input).slice(0, 120)).toEqual(want);
        }
      });
    });
  }

  it('keeps an own "__proto__" member of accepted capabilities', () => {
    const text = '{"port":80,"addresses":["1.1.1.1"],"capabilities":{"__proto__":{"x":1},"y":2}}';
    const checked = checkReadyPayload(object(text), text);
    expect(checked.ok && JSON.stringify(checked.value.capabilities)).toBe('{"__proto__":{"x":1},"y":2}');
  });
});


describe('numberRoundTripProblem', () => {
  it.each(['0', '-1', '1.0', '1E2', '100e-2', '0.1', '9007199254740992', '18014398509481984', '1e300', '5e-324', '0e999999999999', '-2.5e-3', '1.7976931348623157e308'])('%s survives', (literal) => {
    expect(numberRoundTripProblem(literal)).toBeNull();
  });
  it.each(['1e400', '-1e400', '1e-400', '-0', '-0.0', '-0e1', '9007199254740993', '123456789012345678901234567890', '0.10000000000000001', '1.7976931348623159e308'])('%s does not', (literal) => {
    expect(numberRoundTripProblem(literal)).not.toBeNull();
  });
});

describe('capabilitiesRoundTripProblem', () => {
  it('looks only at the capabilities member', () => {
    expect(capabilitiesRoundTripProblem('{"port":1e400,"x":{"a":1,"a":2},"capabilities":{"ok":1}}')).toBeNull();
    expect(capabilitiesRoundTripProblem('{"port":1,"capabilities":{"n":[1,{"m":-0}]}}')).toMatch(/-0/);
  });
  it('finds duplicate keys at any depth, strings with brackets and escapes notwithstanding', () => {
    expect(capabilitiesRoundTripProblem('{"capabilities":{"s":"}{\\"a\\":1,","t":{"a":1,"b":[{"a":1}],"a":2}}}')).toMatch(/"a" appears twice/);
    expect(capabilitiesRoundTripProblem('{"capabilities":{"s":"}{\\"a\\":1,\\"a\\":2","a":1}}')).toBeNull();
  });
  it('refuses "capabilities" given twice', () => {
    expect(capabilitiesRoundTripProblem('{"capabilities":{},"port":1,"capabilities":{}}')).toMatch(/twice/);
  });
  it('copes with deep nesting without recursion', () => {
    const deep = `{"capabilities":{"a":${'['.repeat(20_000)}1e400${']'.repeat(20_000)}}}`;
    expect(capabilitiesRoundTripProblem(deep)).toMatch(/out of range/);
  });
});
