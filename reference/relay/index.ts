/**
 * The reference relay for Node apps: `startRelay` (HTTPS with mutual TLS,
 * memory or PostgreSQL store) and the relay client.
 *
 *   const relay = await startRelay({ port: 8443 });
 *   console.log(relay.url, relay.tlsCertificatePath);
 */
export { startRelay, type RunningRelay } from './http/start-relay.ts';
export { RelayClient, RelayUnreachableError, type RelayClientOptions, type RelayReply } from '../peer/http/relay-client.ts';
