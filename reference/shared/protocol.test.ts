import { describe, expect, it } from 'vitest';
import { RelayCore } from '../relay/core/relay-core.ts';
import { startRelay } from '../relay/http/start-relay.ts';
import { TTL_SECONDS, ttlProblem } from './protocol.ts';

describe('the TTL bounds, asserted by the relay itself and not only by the CLI', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, TTL_SECONDS.max + 1])('refuses %s', async (ttl) => {
    expect(ttlProblem(ttl)).not.toBeNull();
    expect(() => new RelayCore({ config: { ttlSeconds: ttl } } as never)).toThrow(RangeError);
    await expect(startRelay({ port: 0, ttlSeconds: ttl })).rejects.toThrow(/^startRelay: ttlSeconds must/);
  });

  it.each([1, 3600, TTL_SECONDS.max])('takes %s', (ttl) => {
    expect(ttlProblem(ttl)).toBeNull();
  });
});
