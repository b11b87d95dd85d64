/**
 * Child process for bench/relay.bench.ts. `relay` runs the reference relay
 * (memory store, or the postgres:// URL given as STORE); `edge` runs the
 * relay's HTTPS edge (serve.ts) with a handler answering fixed JSON; `bare` runs the
 * floor: node:https with client certificates that reads the peer
 * certificate once per connection and answers fixed JSON. Prints
 * `READY <port>` then serves until SIGTERM, on which it exits normally
 * (so `node --cpu-prof` writes its profile).
 */
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { readFileSync } from 'node:fs';
import { startRelay } from '../reference/relay/http/start-relay.ts';
import { serveRelay } from '../reference/relay/http/serve.ts';
import { makePrincipalExtractor } from '../reference/relay/http/principal.ts';
import { CONNECTION_DEFAULTS } from '../reference/relay/http/connection-limits.ts';
import { ok } from '../reference/relay/core/result.ts';
import { silentLogger } from '../reference/shared/logger.ts';

const [mode, certFile, keyFile, store = 'memory'] = process.argv.slice(2);

if (mode === 'relay') {
  const relay = await startRelay({ port: 0, tlsCertFile: certFile, tlsKeyFile: keyFile, ttlSeconds: 3600, store });
  process.once('SIGTERM', () => void relay.close(1_000).finally(() => process.exit(0)));
  process.stdout.write(`READY ${relay.port}\n`);
} else if (mode === 'edge') {
  // The relay's HTTPS edge exactly as startRelay assembles it, with a handler that answers fixed JSON:
  // what the edge costs without the core and the store.
  const fixed = ok({ status: 'ok', email: 'bench@example.test', port: 1, addresses: ['10.0.0.1'] });
  const serving = await serveRelay(
    { handle: async () => fixed },
    { host: '127.0.0.1', port: 0, certificatePem: readFileSync(certFile as string, 'utf8'), privateKeyPem: readFileSync(keyFile as string, 'utf8'), principalOf: makePrincipalExtractor(null), logger: silentLogger(), ...CONNECTION_DEFAULTS },
  );
  process.once('SIGTERM', () => void serving.close(1_000).finally(() => process.exit(0)));
  process.stdout.write(`READY ${serving.port}\n`);
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
  process.once('SIGTERM', () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`));
} else {
  process.stderr.write('usage: relay-bench-server.ts relay|edge|bare CERT KEY [memory|postgres://...]\n');
  process.exit(2);
}
