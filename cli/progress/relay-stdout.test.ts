/**
 * `relaylab relay` writes pino lines only, from its first: the startup
 * line and the drain on SIGTERM on stdout, and a refusal to start on
 * stderr (exit 2, with its code). A flag refused before it starts is the
 * command line's plain `relaylab: …` line, like every verb's. Lives here with
 * the other long-running-process tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProcess, runCli } from '../../test/support/spawn-cli.ts';

const work = mkdtempSync(join(tmpdir(), 'relaylab-relay-stdout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('relaylab relay: the log is pino from its first line', () => {
  it('startup and drain are JSON lines; the startup line is written even at --log-level warn', async () => {
    const relay = new CliProcess(['relay', '--port', '0', '--data-dir', join(work, 'relay'), '--log-level', 'info']);
    await relay.waitFor(/relay listening on/);
    expect(await relay.stop()).toBe(0);
    const lines = jsonLines(relay.stdout);
    expect(lines[0]).toMatchObject({ level: 30, name: 'relay', msg: expect.stringMatching(/^relay listening on https:\/\/127\.0\.0\.1:\d+ · TLS certificate \(clients pin it with --relay-ca\): \S+ · store: memory/) });
    expect(lines[0]?.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.some((l) => l.msg === 'draining in-flight requests')).toBe(true);
    expect(relay.stderr).toBe('');

    const quiet = new CliProcess(['relay', '--port', '0', '--data-dir', join(work, 'relay'), '--log-level', 'warn']);
    await quiet.waitFor(/relay listening on/);
    expect(await quiet.stop()).toBe(0);
    expect(jsonLines(quiet.stdout)).toHaveLength(1);
  }, 60_000);

  it('a flag refused before the relay starts is the command line\'s one plain line, as for every verb, exit 2', async () => {
    const result = await runCli(['relay', '--port', '0', '--data-dir', join(work, 'bad'), '--ttl', '0']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toBe('relaylab: --ttl must be at least 1 s, got 0');
  }, 60_000);

  it.each([
    ['an unreadable TLS file, named', ['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], 'tls_file_unusable', /^cannot start the relay: cannot read the TLS certificate \/nonexistent\/cert\.pem \(ENOENT\)$/],
  ])('a refusal to start (%s) is one pino line on stderr with its code, exit 2', async (_what, args, code, message) => {
    const result = await runCli(['relay', '--port', '0', '--data-dir', join(work, 'bad'), ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = jsonLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 60, name: 'relay', code, exitCode: 2 });
    expect(lines[0]?.msg).toMatch(message);
  }, 60_000);
});
