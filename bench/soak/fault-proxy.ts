/**
 * A TCP proxy on 127.0.0.1 in front of PostgreSQL that the soak drives:
 *  - cut(): destroys every proxied connection and closes the listener, so
 *    new connections are refused (ECONNREFUSED) until heal();
 *  - blackhole(): keeps accepting, but forwards no byte either way (bytes are
 *    held, as a stalled network would) until heal(), which delivers them.
 * Real sockets only; loopback only.
 */
import net from 'node:net';

export type ProxyState = 'up' | 'cut' | 'blackhole';

interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export class FaultProxy {
  state: ProxyState = 'up';
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  /** Connections accepted / destroyed by cut(), for the report. */
  accepted = 0;
  destroyedByCut = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    public port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    if (!targetHost.startsWith('127.')) throw new Error('the fault proxy forwards to loopback only');
    const proxy = new FaultProxy(targetHost, targetPort, 0);
    await proxy.listen();
    return proxy;
  }

  private async listen(): Promise<void> {
    const server = net.createServer((client) => this.accept(client));
    for (let attempt = 0; ; attempt += 1) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.port, '127.0.0.1', () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  private accept(client: net.Socket): void {
    this.accepted += 1;
    client.setNoDelay(true);
    const pair: Pair = { client, upstream: null, toUpstream: [], toClient: [] };
    this.pairs.add(pair);
    const drop = (): void => {
      this.pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', drop);
    client.on('close', drop);
    client.on('data', (data) => {
      if (this.state !== 'up' || !pair.upstream) pair.toUpstream.push(data);
      else pair.upstream.write(data);
    });
    if (this.state === 'up') this.connectUpstream(pair, drop);
  }

  private connectUpstream(pair: Pair, drop: () => void): void {
    const upstream = net.connect(this.targetPort, this.targetHost);
    upstream.setNoDelay(true);
    pair.upstream = upstream;
    upstream.on('error', drop);
    upstream.on('close', drop);
    upstream.on('data', (data) => {
      if (this.state !== 'up') pair.toClient.push(data);
      else pair.client.write(data);
    });
    this.flush(pair);
  }

  private flush(pair: Pair): void {
    if (pair.upstream) for (const chunk of pair.toUpstream.splice(0)) pair.upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  /** Every proxied connection destroyed; new ones refused until heal(). */
  async cut(): Promise<void> {
    this.state = 'cut';
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const pair of [...this.pairs]) {
      this.destroyedByCut += 1;
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    await closed;
  }

  /** Connections stay open and new ones are accepted, but no byte moves until heal(). */
  blackhole(): void {
    this.state = 'blackhole';
  }

  async heal(): Promise<void> {
    const was = this.state;
    this.state = 'up';
    if (was === 'cut') await this.listen();
    for (const pair of [...this.pairs]) {
      if (!pair.upstream) {
        const drop = (): void => {
          this.pairs.delete(pair);
          pair.client.destroy();
          pair.upstream?.destroy();
        };
        this.connectUpstream(pair, drop);
      } else this.flush(pair);
    }
  }

  async close(): Promise<void> {
    this.state = 'cut';
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
