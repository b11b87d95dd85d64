import { describe, expect, it } from 'vitest';
import { parseSetOptions } from './set-option.ts';

describe('--set FIELD=V1,V2', () => {
  it('reads dotted and indexed paths, keeping values as typed and in order', () => {
    expect(parseSetOptions(['protocol.heartbeat_interval=30m,10m,20m', 'topology[1].share=40%', 'topology.0.port_forward=none,upnp'])).toEqual([
      { name: 'protocol.heartbeat_interval', path: ['protocol', 'heartbeat_interval'], values: ['30m', '10m', '20m'] },
      { name: 'topology[1].share', path: ['topology', 1, 'share'], values: ['40%'] },
      { name: 'topology[0].port_forward', path: ['topology', 0, 'port_forward'], values: ['none', 'upnp'] },
    ]);
  });

  it.each([
    [[], /^--set: name at least one field/],
    [['protocol.ttl'], /^--set protocol\.ttl: expected FIELD=VALUE\[,VALUE\.\.\.\]/],
    [['=10m'], /^--set =10m: expected FIELD=VALUE/],
    [['protocol..ttl=1h'], /is not a scenario field path/],
    [['protocol.ttl=1h,,2h'], /an empty value/],
    [['protocol.ttl=1h,2h,1h'], /1h is listed twice/],
    [['protocol.ttl=1h', 'protocol.ttl=2h'], /^--set protocol\.ttl: given twice; list all its values in one --set/],
    [['seed=1,2'], /^--set seed: cannot be swept: the seeds come from --seed and --seeds/],
  ])('refuses %j in one line', (texts, message) => {
    expect(() => parseSetOptions(texts)).toThrow(message);
  });
});
