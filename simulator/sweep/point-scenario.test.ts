import { describe, expect, it } from 'vitest';
import { scenarioWithSettings, type Setting } from './point-scenario.ts';
import { parseSetOption } from './set-option.ts';

const FILE = 'tiny.yaml';
const TEXT = `# a comment the rewrite must not trip over
name: tiny
peers: 12
duration: 1h
protocol: { ttl: 1h }
topology:
  - kind: public
    share: 50%
  - kind: home-nat
    share: 50%
`;

function setting(text: string, value?: string): Setting {
  const parameter = parseSetOption(text);
  return { parameter, value: value ?? (parameter.values[0] as string) };
}

describe('a sweep point\'s scenario', () => {
  it('reads each value with the field\'s own grammar, inside flow mappings, in new sections and in list items', () => {
    const s = scenarioWithSettings(FILE, TEXT, [setting('protocol.heartbeat_interval=10m'), setting('churn.crashes_per_hour=5%'), setting('topology[1].port_forward=upnp'), setting('link.loss=0.01')]);
    expect(s.heartbeatIntervalMs).toBe(600_000);
    expect(s.churn.crashesPerHour).toBe(0.05);
    expect(s.topology[1]?.portForward).toBe('upnp');
    expect(s.link.lossRatio).toBe(0.01);
    expect(s.file).toBe(FILE);
  });

  it.each([
    ['protocol.heartbeat_interval=10x', 'tiny.yaml: --set protocol.heartbeat_interval=10x: expected a duration like "24h", "30m", "5s" or "250ms", got "10x"'],
    ['churn.crashes_per_hour=150%', 'tiny.yaml: --set churn.crashes_per_hour=150%: expected a ratio in [0, 1] or a percentage like "30%", got "150%"'],
    ['protocol.heartbeat_intervall=10m', 'tiny.yaml: --set protocol.heartbeat_intervall=10m: unknown field (known: '],
    ['peers=1', 'tiny.yaml: --set peers=1: must be at least 2, got 1'],
    ['topology[2].share=10%', 'tiny.yaml: --set topology[2].share=10%: the scenario has no topology[2] (that list has 2 items, [0] to [1])'],
    ['name.first=x', 'tiny.yaml: --set name.first=x: name.first does not fit the scenario'],
    ['peers={a: 1}', 'tiny.yaml: --set peers={a: 1}: expected a single value'],
  ])('refuses %s with the loader\'s own problem, naming the --set', (text, message) => {
    expect(() => scenarioWithSettings(FILE, TEXT, [setting(text), setting('link.loss=0.01')])).toThrow(message);
  });

  it('judges cross-field checks on the whole point', () => {
    // Against the file's 30 min heartbeat ttl=20m is wrong; with heartbeat 10m the point is fine.
    expect(scenarioWithSettings(FILE, TEXT, [setting('protocol.ttl=20m'), setting('protocol.heartbeat_interval=10m')]).ttlSeconds).toBe(1200);
    expect(() => scenarioWithSettings(FILE, TEXT, [setting('protocol.ttl=20m'), setting('churn.crashes_per_hour=5%')])).toThrow(
      'tiny.yaml: --set protocol.ttl=20m: must exceed the heartbeat interval (1800 s), or every live peer expires',
    );
    // A problem the loader places on a field no --set names lists the point's settings.
    expect(() => scenarioWithSettings(FILE, TEXT, [setting('topology[0].share=40%'), setting('churn.crashes_per_hour=5%')])).toThrow(
      'tiny.yaml: --set topology[0].share=40% --set churn.crashes_per_hour=5%: topology: shares add up to 90%, not 100%',
    );
  });
});
