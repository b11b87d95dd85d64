/**
 * The slow-client mix: a fixed number of slots (bounded), each holding one
 * socket at a time and opening a new one when the relay closes it:
 *  - tcp-stall:    TCP connect, never start TLS (the handshake timeout's job);
 *  - tls-stall:    finish TLS, send nothing;
 *  - slow-headers: a request line, then one header byte a second;
 *  - slow-body:    a POST announcing 5000 bytes, sending 10 a second.
 * Spread over 127.0.0.10-127.0.0.13 so they meet the per-address cap as the
 * attacker's, not the honest clients'.
 */
import net from 'node:net';
import tls from 'node:tls';
import { pinnedTrust } from '../../reference/identity/pinning.ts';
import { now } from './record.ts';

export const SLOW_KINDS = ['tcp-stall', 'tls-stall', 'slow-headers', 'slow-body'] as const;
export type SlowKind = (typeof SLOW_KINDS)[number];
export const SLOW_ADDRESSES = ['127.0.0.10', '127.0.0.11', '127.0.0.12', '127.0.0.13'];

export interface SlowSession {
  kind: SlowKind;
  /** How long the socket lived, ms. */
  lifeMs: number;
  /** Status of what the relay wrote before closing, if anything. */
  status: number | null;
  closedBy: 'relay' | 'relay-shutdown' | 'soak-end' | 'error';
}

/** terminating: SIGTERM was sent, open no new socket; stopped: close what is left. */
export interface SlowStop {
  stopped: boolean;
  terminating: boolean;
}

export async function runSlowClients(total: number, url: string, caPem: string, stop: SlowStop, sessions: SlowSession[], open: { count: number; max: number }): Promise<void> {
  const target = new URL(url);
  const host = target.hostname;
  const port = Number(target.port);
  const live = new Set<net.Socket>();
  const slot = async (i: number): Promise<void> => {
    const kind = SLOW_KINDS[i % SLOW_KINDS.length] as SlowKind;
    const localAddress = SLOW_ADDRESSES[i % SLOW_ADDRESSES.length] as string;
    // Stagger the start so the relay meets them over a second, not in one burst.
    await new Promise((r) => setTimeout(r, (i * 7) % 1000));
    while (!stop.stopped && !stop.terminating) {
      const session = await oneSession(kind, host, port, localAddress, caPem, stop, live, open);
      sessions.push(session);
      if (!stop.stopped && !stop.terminating) await new Promise((r) => setTimeout(r, 200));
    }
  };
  await Promise.all(Array.from({ length: total }, (_, i) => slot(i)));
  for (const socket of live) socket.destroy();
}

function oneSession(kind: SlowKind, host: string, port: number, localAddress: string, caPem: string, stop: SlowStop, live: Set<net.Socket>, open: { count: number; max: number }): Promise<SlowSession> {
  return new Promise((resolve) => {
    const started = now();
    let data = '';
    let timer: NodeJS.Timeout | null = null;
    let finished = false;
    let socket: net.Socket;
    const finish = (closedBy: SlowSession['closedBy']): void => {
      if (finished) return;
      finished = true;
      if (timer) clearInterval(timer);
      clearInterval(stopWatch);
      live.delete(socket);
      open.count -= 1;
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      resolve({ kind, lifeMs: now() - started, status: match ? Number(match[1]) : null, closedBy: stop.stopped ? 'soak-end' : stop.terminating ? 'relay-shutdown' : closedBy });
    };
    const drip = (text: string, everyMs: number): void => {
      let at = 0;
      timer = setInterval(() => {
        if (at >= text.length) return;
        socket.write(text[at] as string);
        at += 1;
      }, everyMs);
    };
    const onSecure = (): void => {
      if (kind === 'slow-headers') {
        socket.write(`GET /api/health HTTP/1.1\r\nHost: ${host}\r\n`);
        drip('X-Slow: ' + 'z'.repeat(500) + '\r\n\r\n', 1000);
      } else if (kind === 'slow-body') {
        socket.write(`POST /api/relay/register HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"email":"`);
        let sent = 0;
        timer = setInterval(() => {
          if (sent < 4900) {
            socket.write('aaaaaaaaaa');
            sent += 10;
          }
        }, 1000);
      }
    };
    if (kind === 'tcp-stall') socket = net.connect({ host, port, localAddress });
    else {
      const tcp = net.connect({ host, port, localAddress });
      tcp.on('error', () => undefined);
      socket = tls.connect({ socket: tcp, ...pinnedTrust(caPem) }, onSecure);
    }
    open.count += 1;
    open.max = Math.max(open.max, open.count);
    live.add(socket);
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
    });
    socket.on('close', () => finish('relay'));
    socket.on('error', () => finish(data ? 'relay' : 'error'));
    const stopWatch = setInterval(() => {
      if (stop.stopped) finish('soak-end');
    }, 250);
  });
}
