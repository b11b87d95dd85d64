/**
 * A 5 MB body sent to a relay in its own process: the client is still
 * writing when the relay has already decided on 413. The relay must let
 * the client read that answer (reading and discarding the rest of the
 * body) rather than reset the connection under it, which the client sees
 * as EPIPE with no response at all. In one process this never shows: the
 * relay and the client share an event loop, so the body is always read.
 */
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { connect } from 'node:tls';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certPathFromStartupLine, startCli, urlFromStartupLine, type RunningCli } from '../support/spawn-cli.ts';

let relay: RunningCli;
let url: URL;
let agent: Agent;
beforeAll(async () => {
  relay = await startCli(['relay', '--port', '0', '--log-level', 'warn']);
  url = new URL(urlFromStartupLine(relay.firstLine));
  agent = new Agent({ connect: { ca: readFileSync(certPathFromStartupLine(relay.firstLine), 'utf8') } });
});
afterAll(async () => {
  await agent?.close();
  if (relay && (await relay.stop()) !== 0 && relay.child.exitCode === null) relay.child.kill('SIGKILL');
});

describe('a relay process and a body far past its limit', () => {
  it.each([
    ['with a content-length', (body: string) => body],
    ['chunked, no declared length', (body: string) => Readable.from((function* () { for (let at = 0; at < body.length; at += 64 * 1024) yield body.slice(at, at + 64 * 1024); })())],
  ])('answers 413 body_too_large %s, and the connection keeps serving', async (_how, shape) => {
    const body = JSON.stringify({ pad: 'x'.repeat(5 * 1024 * 1024) });
    for (let attempt = 0; attempt < 3; attempt++) {
      const reply = await request(new URL('/api/relay/register', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: shape(body), dispatcher: agent });
      expect(reply.statusCode).toBe(413);
      expect(await reply.body.json()).toMatchObject({ code: 'body_too_large' });
    }
    const health = await request(new URL('/api/health', url), { dispatcher: agent });
    expect(health.statusCode).toBe(200);
    await health.body.dump();
  }, 60_000);

  it('declared past the discard limit (64 MiB): 413 at once and the connection closes, without reading any of it', async () => {
    const pem = readFileSync(certPathFromStartupLine(relay.firstLine), 'utf8');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect({ host: url.hostname, port: Number(url.port), ca: pem }, () =>
        socket.write(`POST /api/relay/register HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${100 * 2 ** 20}\r\n\r\n{"pad":"`),
      );
      let text = '';
      socket.on('data', (d) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer).toContain('"code":"body_too_large"');
  });
});
