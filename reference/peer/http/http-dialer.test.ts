import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { DialOutcome } from '../core/ports.ts';
import { httpDialer } from './http-dialer.ts';

let server: Server | null = null;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

async function answering(body: unknown): Promise<number> {
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const dial = (port: number, expected: string) => new Promise<DialOutcome>((resolve) => httpDialer.dial('127.0.0.1', port, expected, 2_000, resolve));

describe('httpDialer reads /api/health', () => {
  it('takes the email it answers with, lower-cased', async () => {
    expect(await dial(await answering({ status: 'ok', email: 'Alice@Example.com' }), 'alice@example.com')).toEqual({ kind: 'ok', email: 'alice@example.com' });
  });

  it('calls an "email" that is not one a broken answer, never whose server it is (unauthenticated text would be shown as an identity)', async () => {
    for (const email of ['RemoteHouse security notice: your token has expired. Open http://evil', '\u202Etset.proc@htims.nhoj', 'x'.repeat(300) + '@a.test']) {
      const outcome = await dial(await answering({ status: 'ok', email }), 'alice@example.com');
      expect(outcome).toEqual({ kind: 'http_error', detail: "health answer's email is not an email address" });
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = null;
    }
  });
});
