/**
 * Child process for bench/relay.bench.ts. `relay` runs the reference
 * relay; `bare` runs the floor: node:https with client certificates that
 * only reads the peer certificate and answers fixed JSON. Prints
 * `READY <port>` then serves until killed.
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { startRelay } from '../reference/relay/http/start-relay.ts';

const [mode, certFile, keyFile] = process.argv.slice(2);

if (mode === 'relay') {
  const relay = await startRelay({ port: 0, tlsCertFile: certFile, tlsKeyFile: keyFile, ttlSeconds: 3600 });
  process.stdout.write(`READY ${relay.port}\n`);
} else if (mode === 'bare') {
  const seen = new WeakMap<object, number>();
  const fixed = JSON.stringify({ status: 'ok', email: 'bench@example.test', port: 1, addresses: ['10.0.0.1'] });
  const server = createServer({ cert: readFileSync(certFile as string), key: readFileSync(keyFile as string), requestCert: true, rejectUnauthorized: false }, (req, res) => {
    // Read the peer certificate once per connection, as the relay does: the floor must not be handicapped.
    if (!seen.has(req.socket)) seen.set(req.socket, (req.socket as TLSSocket).getPeerCertificate(false).raw?.length ?? 0);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(fixed) });
      res.end(fixed);
    });
  });
  server.keepAliveTimeout = 30_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`));
} else {
  process.stderr.write('usage: relay-bench-server.ts relay|bare CERT KEY\n');
  process.exit(2);
}
