/**
 * `relaylab ls` and `get` against peers that misbehave: every failure is a
 * PeerRequestError (one line, exit 1) or a UsageError (exit 2), never an
 * unhandled stream error or "a bug in relaylab".
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkOutFile } from '../../cli/peer/connect-command.ts';
import { downloadPeerFile, listPeerFolder, PeerRequestError } from '../../reference/peer/http/peer-files-client.ts';
import { tempDir } from './net-helpers.ts';
import { UsageError } from '../../cli/usage-error.ts';

let server: Server;
let baseUrl: string;
let dir: { path: string; remove(): Promise<void> };
beforeAll(async () => {
  dir = await tempDir('files-client');
  server = createServer((req, res) => {
    if (req.url?.startsWith('/api/files')) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not a listing</html>');
    // Promise 1 MB, send 10 bytes, hang up.
    res.writeHead(200, { 'content-length': String(2 ** 20) });
    res.write('0123456789', () => res.socket?.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await dir.remove();
});

const failure = (promise: Promise<unknown>) => promise.then(() => null, (e: unknown) => e);

describe('peer file client failures', () => {
  it('refuses an --out in a folder that does not exist before connecting', async () => {
    const error = await failure(checkOutFile(join(dir.path, 'no-such-folder', 'x.bin'), false));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/cannot save to .*x\.bin: the folder .*no-such-folder does not exist/);
  });

  it('a listing that is not JSON is peer_bad_answer', async () => {
    const error = await failure(listPeerFolder(baseUrl));
    expect(error).toBeInstanceOf(PeerRequestError);
    expect(error).toMatchObject({ code: 'peer_bad_answer' });
  });

  it('a peer hanging up mid-download is peer_unreachable, and no partial file is left', async () => {
    const out = join(dir.path, 'partial.bin');
    const error = await failure(downloadPeerFile(baseUrl, 'big.bin', out));
    expect(error).toBeInstanceOf(PeerRequestError);
    expect(error).toMatchObject({ code: 'peer_unreachable' });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.part`)).toBe(false);
  });

  it('a peer that is not there is peer_unreachable', async () => {
    const error = await failure(listPeerFolder('http://127.0.0.1:9'));
    expect(error).toMatchObject({ code: 'peer_unreachable', status: 0 });
  });
});
