import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

describe('docs for relay implementers', () => {
  it('ship a CI job that gates on the suite and keeps junit.xml and report.html', () => {
    const job = parse(readFileSync(new URL('../docs/conformance-ci.yml', import.meta.url), 'utf8')) as { jobs: Record<string, { steps: Array<{ run?: string; with?: { path?: string } }> }> };
    const steps = Object.values(job.jobs)[0]?.steps ?? [];
    expect(steps.some((s) => /npx relaylab conformance[\s\S]*--reports/.test(s.run ?? ''))).toBe(true);
    const kept = steps.map((s) => s.with?.path ?? '').join('\n');
    expect(kept).toMatch(/junit\.xml/);
    expect(kept).toMatch(/report\.html/);
  });

  it('explain the one command and the short TTL', () => {
    const text = readFileSync(new URL('../docs/test-your-relay.md', import.meta.url), 'utf8');
    expect(text).toMatch(/^## Test your relay/m);
    expect(text).toMatch(/npx relaylab conformance --target/);
    expect(text).toMatch(/--ttl 5/);
  });

  it("show in README's Test-your-relay one command for a relay behind a proxy and one for a relay with a long TTL", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## For implementers: Test your relay'), readme.indexOf('## For CI pipelines'));
    expect(section).toMatch(/npx relaylab conformance --target http:\/\/\S+ --auth header:\S+ --untrusted-source \S+/);
    expect(section).toMatch(/--target-cmd "[^"]+" --time-warp \d+/);
  });
});
