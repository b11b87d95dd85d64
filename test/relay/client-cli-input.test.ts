/**
 * What a user types wrong into the relay client verbs is exit 2 with one
 * line naming the flag, checked before anything is sent: a relay refusal
 * (exit 1) would blame the relay for a typo.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/spawn-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'relaylab-cli-input-'));
const aFile = join(dir, 'a-file');
writeFileSync(aFile, 'not a folder');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Port 9 on loopback: nothing is ever sent there, every case fails before connecting.
const relay = ['--relay', 'https://127.0.0.1:9', '--insecure', '--identity', dir];

describe('relay client verbs refuse bad input before sending', () => {
  it.each([
    [['ready', ...relay, '--port', 'abc', '--address', '10.0.0.1'], /--port "abc" is not a number$/m],
    [['ready', ...relay, '--port', '70000', '--address', '10.0.0.1'], /--port must be a port number 1\.\.65535, got 70000/],
    [['ready', ...relay, '--port', '8443', '--address', '10.0.0.1', '--capabilities', 'null'], /--capabilities must be a JSON object/],
    [['ready', ...relay, '--port', '8443', '--address', '10.0.0.1', '--capabilities', '[1]'], /--capabilities must be a JSON object/],
    [['list', ...relay, '--limit', '0'], /--limit must be a whole number from 1 to 1000, got 0/],
    [['lookup', ...relay, '--email', 'not-an-email'], /--email "not-an-email" is not an email address/],
    [['lookup', ...relay, '--email', 'a@b.example', '--timeout-ms', 'abc'], /--timeout-ms "abc" is not a number$/m],
    [['identity', 'create', '--email', 'x@example.com', '--dir', aFile], /EEXIST|ENOTDIR|not a folder|exists/],
  ])('%j', async (args, message) => {
    const result = await runCli(args as string[]);
    expect(result.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
