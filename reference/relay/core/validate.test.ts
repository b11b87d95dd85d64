import { describe, expect, it } from 'vitest';
import { capabilitiesRoundTripProblem, numberRoundTripProblem } from './validate.ts';

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
