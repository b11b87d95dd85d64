import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../shared/user-input-error.ts';
import { certificatesFromHeader, derFromHeader, parseTrustedProxies } from './principal.ts';
import { RelaySetupError } from './relay-setup-error.ts';

describe('parseTrustedProxies (SPEC AUTH-5: who may assert a client certificate)', () => {
  it('accepts IPv4 and IPv6 CIDRs and treats a bare address as a single host', () => {
    const list = parseTrustedProxies(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1', '2001:db8::/128']);
    expect(list.check('10.200.3.4', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.7', 'ipv4')).toBe(true);
    expect(list.check('192.0.2.8', 'ipv4')).toBe(false);
    expect(list.check('fd12::1', 'ipv6')).toBe(true);
    expect(list.check('::1', 'ipv6')).toBe(true);
    expect(list.check('::2', 'ipv6')).toBe(false);
    expect(list.check('2001:db8::', 'ipv6')).toBe(true);
    expect(list.check('2001:db8::1', 'ipv6')).toBe(false);
  });

  it('narrows to exactly the prefix given', () => {
    const list = parseTrustedProxies(['10.0.0.1/32', '::1/128']);
    expect(list.check('10.0.0.1', 'ipv4')).toBe(true);
    expect(list.check('10.0.0.2', 'ipv4')).toBe(false);
    expect(list.check('8.8.8.8', 'ipv4')).toBe(false);
    expect(list.check('::2', 'ipv6')).toBe(false);
  });

  it.each([
    ['10.0.0.1/', /prefix length must be a number from 0 to 32/],
    ['10.0.0.1/8/32', /more than one "\/"/],
    ['10.0.0.1/33', /prefix length must be a number from 0 to 32/],
    ['::1/129', /prefix length must be a number from 0 to 128/],
    ['x/8', /"x" is not an IPv4 or IPv6 address/],
    ['', /"" is not an IPv4 or IPv6 address/],
    ['10.0.0.1/-1', /prefix length/],
    ['10.0.0.1/ 8', /prefix length/],
    ['10.0.0.1/0x8', /prefix length/],
    ['10.0.0.1/1e1', /prefix length/],
    ['10.0.0.1/0008', /prefix length/],
    [' 10.0.0.1', /not an IPv4 or IPv6 address/],
    ['10.0.0/8', /not an IPv4 or IPv6 address/],
    ['fe80::1%eth0/64', /not an IPv4 or IPv6 address/],
  ])('refuses %j with a one-line user-input error instead of widening the rule', (cidr, message) => {
    let caught: unknown;
    try {
      parseTrustedProxies(['127.0.0.1', cidr]);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RelaySetupError);
    expect(caught).toBeInstanceOf(UserInputError);
    expect(caught).toMatchObject({ code: 'invalid_trusted_proxy' });
    const text = (caught as Error).message;
    expect(text).toMatch(message);
    expect(text).toContain('--trusted-proxy');
    expect(text).not.toContain('\n');
  });
});

describe('certificatesFromHeader (SPEC AUTH-5: the PEM a trusted proxy forwards)', () => {
  const pem = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
  const one = pem(Buffer.from('first certificate').toString('base64'));
  const two = pem(Buffer.from('second certificate').toString('base64'));

  it('reads exactly one certificate, raw, folded or URL-encoded', () => {
    for (const value of [one, one.replace(/\n/g, ' '), encodeURIComponent(one)]) {
      expect(certificatesFromHeader(value)).toEqual({ kind: 'one', der: Buffer.from('first certificate') });
    }
  });

  it('calls two certificates in one value ambiguous, however they are written, never the first', () => {
    for (const value of [one + two, `${one}, ${two}`, encodeURIComponent(one + two), (one + two).replace(/\n/g, ' '), `${one}-----BEGIN CERTIFICATE-----\n!!!`]) {
      expect(certificatesFromHeader(value)).toEqual({ kind: 'many' });
      expect(derFromHeader(value)).toBeNull();
    }
  });

  it('finds none in garbage', () => {
    for (const value of ['', 'hello', '%zz', pem('')]) expect(certificatesFromHeader(value)).toEqual({ kind: 'none' });
  });
});
