/**
 * Starts a relay implementation packaged as a container image, waits until
 * it answers `GET /api/health` over HTTPS, and hands back its URL and its
 * TLS certificate (read from the handshake: we started it ourselves, on
 * this machine, so trust on first use is sound). Works for any image that
 * serves the protocol, not just ours.
 *
 * testcontainers' reaper (Ryuk) image cannot be pulled here, so it is
 * disabled and `stop()` removes the container itself.
 */
import { connect } from 'node:tls';
import { toPem } from '../reference/identity/certificate-builder.ts';
import { UserInputError } from '../reference/shared/user-input-error.ts';

export interface ContainerTarget {
  url: string;
  caPem: string;
  containerId: string;
  logs(): Promise<string>;
  stop(): Promise<void>;
}

export interface ContainerTargetOptions {
  image: string;
  /** The port the relay listens on inside the container. */
  port: number;
  command?: string[];
  startupTimeoutMs?: number;
}

export async function startContainerTarget(options: ContainerTargetOptions): Promise<ContainerTarget> {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  const { GenericContainer, Wait } = await loadTestcontainers();
  let builder = new GenericContainer(options.image)
    .withExposedPorts(options.port)
    .withWaitStrategy(Wait.forHttp('/api/health', options.port).usingTls().allowInsecure().forStatusCode(200))
    .withStartupTimeout(options.startupTimeoutMs ?? 60_000);
  if (options.command) builder = builder.withCommand(options.command);
  const container = await builder.start();
  const host = container.getHost() === 'localhost' ? '127.0.0.1' : container.getHost();
  const port = container.getMappedPort(options.port);
  try {
    const caPem = await fetchServerCertificatePem(host, port);
    return {
      url: `https://${host}:${port}`,
      caPem,
      containerId: container.getId(),
      logs: async () => {
        const stream = await container.logs();
        return readAvailable(stream);
      },
      stop: async () => {
        await container.stop({ remove: true, removeVolumes: true, timeout: 5_000 });
      },
    };
  } catch (error) {
    await container.stop({ remove: true, removeVolumes: true });
    throw error;
  }
}

/** The server's leaf certificate as PEM, read from a TLS handshake. */
export function fetchServerCertificatePem(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false }, () => {
      const certificate = socket.getPeerCertificate(false);
      socket.end();
      if (!certificate?.raw) reject(new Error(`no TLS certificate from ${host}:${port}`));
      else resolve(toPem('CERTIFICATE', certificate.raw));
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error(`TLS handshake with ${host}:${port} timed out`)));
    socket.on('error', reject);
  });
}

function readAvailable(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    const done = (): void => resolve(text);
    stream.on('end', done);
    setTimeout(done, 500);
  });
}

/** A development dependency: an installed relaylab has it only when the user adds it. */
async function loadTestcontainers(): Promise<typeof import('testcontainers')> {
  try {
    return await import('testcontainers');
  } catch {
    throw new UserInputError('--target-image needs the testcontainers package: run `npm install testcontainers` beside relaylab (or start the container yourself and pass --target)');
  }
}

