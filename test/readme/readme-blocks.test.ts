/** The README block parser and reference check, on small documents (fast; in test:quick). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandBlocks, expectationPattern, headingAnchors, references } from './readme-blocks.ts';
import { missingReferences } from './references.ts';

const DOC = [
  '# Title',
  '',
  '<!-- readme-test: skip: needs a remote relay -->',
  '```sh',
  'npx relaylab conformance --target https://relay.example:8443 \\',
  '  --ca relay-cert.pem',
  '```',
  '',
  '<!-- readme-test',
  'continues',
  'setup: mkdir -p ~/Shared',
  'relay: https://relay.example:8443 relay-cert.pem',
  'exit: 1',
  '-->',
  '```console',
  '$ npx relaylab relay',
  '...listening on https://127.0.0.1:8443',
  '$ npx relaylab demo',
  '```',
  '',
  '```ts',
  "import x from 'relaylab';",
  '```',
  '',
  '```bash',
  '# a comment',
  'echo one',
  '',
  'echo two',
  '```',
].join('\n');

describe('commandBlocks', () => {
  const blocks = commandBlocks(DOC);

  it('takes sh/bash/shell/console blocks only, with their README lines', () => {
    expect(blocks.map((b) => [b.lang, b.line])).toEqual([['sh', 4], ['console', 15], ['bash', 25]]);
  });

  it('joins `\\` lines, drops comments, and reads console output lines', () => {
    expect(blocks[0]!.commands).toEqual([{ line: 5, text: 'npx relaylab conformance --target https://relay.example:8443 \\\n  --ca relay-cert.pem', expect: [] }]);
    expect(blocks[1]!.commands).toEqual([
      { line: 16, text: 'npx relaylab relay', expect: ['...listening on https://127.0.0.1:8443'] },
      { line: 18, text: 'npx relaylab demo', expect: [] },
    ]);
    expect(blocks[2]!.commands.map((c) => c.text)).toEqual(['echo one', 'echo two']);
  });

  it('reads the directives of the comment right before a block', () => {
    expect(blocks[0]!.directives.skip).toBe('needs a remote relay');
    expect(blocks[1]!.directives).toMatchObject({ continues: true, setup: ['mkdir -p ~/Shared'], relay: { url: 'https://relay.example:8443', caFile: 'relay-cert.pem' }, exit: 1 });
    expect(blocks[2]!.directives).toMatchObject({ continues: false, setup: [], exit: 0 });
  });

  it('refuses an unknown directive and one that is not before a command block', () => {
    expect(() => commandBlocks('<!-- readme-test: skipp: typo -->\n```sh\nls\n```\n')).toThrow(/unknown readme-test directive "skipp: typo"/);
    expect(() => commandBlocks('<!-- readme-test: continues -->\n\nSome text.\n')).toThrow(/not right before a command block/);
  });
});

describe('expectationPattern', () => {
  it('matches ... as anything, PORT as a number and TOKEN as a word, the rest literally', () => {
    const pattern = expectationPattern('RemoteHouse: http://127.0.0.1:PORT/#t=TOKEN (...)');
    expect(pattern.test('x RemoteHouse: http://127.0.0.1:4711/#t=a-b_c (ui)')).toBe(true);
    expect(pattern.test('RemoteHouse: http://127.0.0.1:x/#t=abc (ui)')).toBe(false);
    expect(expectationPattern('a.b').test('axb')).toBe(false);
  });
});

describe('missingReferences', () => {
  it('names missing links, anchors and checkout paths in inline code, and ignores runtime paths', () => {
    const root = mkdtempSync(join(tmpdir(), 'relaylab-readme-refs-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs/guide.md'), '# Guide\n\n## Exit codes\n');
    const doc = [
      '# Top',
      '[ok](docs/guide.md#exit-codes) [bad anchor](docs/guide.md#nope) [gone](reports/examples/) [web](https://example.com/x) [self](#top)',
      '`docs/guide.md` `docs/missing.md` `.relaylab/relay/relay-cert.pem` `reports/<scenario>/` `alice/cert.pem`',
    ].join('\n');
    try {
      expect(missingReferences(doc, references(doc), headingAnchors, root)).toEqual([
        'link docs/guide.md#nope: no heading #nope',
        'link reports/examples/: no such file',
        '`docs/missing.md`: no such path in the checkout',
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
