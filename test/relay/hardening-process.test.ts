/**
 * `relaylab relay` as a process, under connections that never do anything:
 * SIGTERM still exits 0 within its grace. Also: the registration rate limit
 * is on by default from the command line, and off with --test-mode.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { certPathFromStartupLine, runCli, startCli, urlFromStartupLine, type RunningCli } from '../support/spawn-cli.ts';
import { closedWithin, HALF_CLIENT_HELLO, rawTlsExchange, tcpConnect } from './raw-tls.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'relaylab-hardening-'));
const started: RunningCli[] = [];
const sockets: Socket[] = [];
afterAll(() => {
  for (const cli of started) if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  for (const socket of sockets) socket.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

async function relayProcess(extra: string[]): Promise<{ cli: RunningCli; port: number; pem: string }> {
  const cli = await startCli(['relay', '--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...extra]);
  started.push(cli);
  return { cli, port: Number(new URL(urlFromStartupLine(cli.firstLine)).port), pem: readFileSync(certPathFromStartupLine(cli.firstLine), 'utf8') };
}

const register = (port: number, pem: string) => rawTlsExchange(port, pem, 'POST /api/relay/register HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');

function tlsSession(port: number, pem: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: pem }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves with the exit code, or null if the process is still running after `timeoutMs` (then it is killed). */
function exitWithin(cli: RunningCli, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      cli.child.kill('SIGKILL');
      resolve(null);
    }, timeoutMs);
    cli.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('relaylab relay under idle connections', () => {
  it('rate-limits registration (--register-rate) and, on SIGTERM, exits 0 within its grace whatever is connected', async () => {
    const { cli, port, pem } = await relayProcess(['--handshake-timeout', '120', '--shutdown-grace', '2', '--register-rate', '1/h', '--register-burst', '2']);

    expect((await register(port, pem)).status).toBe(400);
    expect((await register(port, pem)).status).toBe(400);
    const limited = await register(port, pem);
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'rate_limited' });
    expect(limited.headers['retry-after']?.[0]).toMatch(/^[1-9][0-9]*$/);

    // Idle TCP, half ClientHellos, TLS sessions that never send a request, and requests cut off mid-headers.
    const idle = await Promise.all(Array.from({ length: 30 }, () => tcpConnect(port)));
    const partial = await Promise.all(Array.from({ length: 5 }, () => tcpConnect(port)));
    for (const socket of partial) socket.write(HALF_CLIENT_HELLO);
    const sessions = await Promise.all(Array.from({ length: 4 }, () => tlsSession(port, pem)));
    for (const socket of sessions.slice(0, 2)) socket.write('POST /api/relay/register HTTP/1.1\r\nhost: x\r\ncontent-');
    const everything: Socket[] = [...idle, ...partial, ...sessions];
    for (const socket of everything) socket.on('error', () => undefined);
    sockets.push(...everything);

    const exited = exitWithin(cli, 30_000);
    cli.child.kill('SIGTERM');
    // Grace is 2 s; the bound is generous for a loaded machine, and the requirement is exit 0 (not hang, not 13).
    expect(await exited).toBe(0);
    expect(cli.output()).toContain('draining in-flight requests');
    expect((await Promise.all(everything.map((s) => closedWithin(s, 10_000)))).every(Boolean)).toBe(true);
  }, 60_000);

  it('does not rate-limit registration in --test-mode unless asked', async () => {
    const { cli, port, pem } = await relayProcess(['--test-mode']);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await register(port, pem)).status ?? 0);
    expect(statuses.every((s) => s === 400)).toBe(true);
    expect(await cli.stop()).toBe(0);
  }, 60_000);

  it.each([
    [['relay', '--register-rate', 'fast'], /--register-rate: expected a rate such as 10\/s/],
    [['relay', '--max-connections', '0'], /--max-connections must be a whole number >= 1/],
    [['relay', '--max-connections-per-address', '2.5'], /--max-connections-per-address must be a whole number >= 1/],
    [['relay', '--handshake-timeout', '0'], /--handshake-timeout must be a duration from 1ms/],
    [['relay', '--shutdown-grace', '-1'], /--shutdown-grace must be/],
  ])('refuses %j with one line and exit 2', async (args, message) => {
    const result = await runCli(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});
