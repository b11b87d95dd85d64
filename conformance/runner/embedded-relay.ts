/**
 * `relaylab conformance` with no --target: the embedded reference relay on
 * loopback, short TTL, test mode. Imported lazily; the suite itself never
 * touches relay internals, it only gets this relay's URL and certificate.
 */
export interface EmbeddedRelay {
  url: string;
  /** null for a plain-HTTP target (behind a TLS-terminating proxy). */
  caPem: string | null;
  ttlSeconds: number;
  close(): Promise<void>;
}

export const EMBEDDED_TTL_SECONDS = 5;

export async function startEmbeddedRelay(options: { ttlSeconds?: number; testMode?: boolean } = {}): Promise<EmbeddedRelay> {
  const { startRelay } = await import('../../reference/relay/http/start-relay.ts');
  const ttlSeconds = options.ttlSeconds ?? EMBEDDED_TTL_SECONDS;
  const relay = await startRelay({ host: '127.0.0.1', port: 0, ttlSeconds, testMode: options.testMode ?? true, cleanupIntervalSeconds: 1 });
  return { url: relay.url, caPem: relay.tlsCertificatePem, ttlSeconds, close: () => relay.close() };
}
