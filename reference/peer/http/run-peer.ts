/**
 * A whole running peer, the edge that wires the pure core to the world:
 * Peer Server (step 3), address gathering (step 4), the PeerLifecycle
 * (register, ready, heartbeats, re-ready: steps 2, 5, 6) over the real relay
 * client, and optionally the friends monitor. Used by `relaylab peer`, the
 * demo and the tests. Loading or creating the identity (step 1) is the
 * caller's, so a test can hand in one it made.
 */
import { definedOnly } from '../../shared/defined-only.ts';
import { networkInterfaces } from 'node:os';
import type { Identity } from '../../identity/identity-files.ts';
import { systemClock } from '../../shared/system-clock.ts';
import { systemTimers } from '../../shared/system-timers.ts';
import { orderAddresses, type InterfaceAddress } from '../core/address-order.ts';
import type { FriendsMonitor } from '../core/friends-monitor.ts';
import { PeerLifecycle, type LifecycleEvent, type LifecycleFatalCode } from '../core/peer-lifecycle.ts';
import type { RelayPort } from '../core/ports.ts';
import type { TryStrategy } from '../core/try-order.ts';
import { loadFriendsFile } from './friends-file.ts';
import { httpDialer } from './http-dialer.ts';
import { startPeerServer, type RunningPeerServer } from './peer-server.ts';
import { relayPortOver } from './relay-port.ts';
import type { RelayClient } from './relay-client.ts';
import { CertificateRenewal, type CertificateRenewalOptions, type RenewalEvent } from '../core/certificate-renewal.ts';
import { windowOf } from '../../identity/renewal-files.ts';
import { IdentityHolder, renewalPortOver, settlePendingRenewal } from './renewal-port.ts';
import { initialPeerStatus, nextPeerStatus, type PeerStatus } from '../core/peer-status.ts';
import { startFriendsList, type FriendsList } from './friends-list.ts';

export interface RunPeerOptions {
  relayUrl: string;
  relayCaPem?: string;
  insecure?: boolean;
  identity: Identity;
  /** The folder the identity was loaded from: a renewal writes the new pair there. Without it a renewal lives in memory only. */
  identityDir?: string;
  /** Renew the certificate before it expires (SPEC AUTH-6, EXT-1); default true. */
  renew?: boolean;
  /** When to renew (tests shorten these). */
  renewal?: Omit<CertificateRenewalOptions, 'window'>;
  root: string;
  /** Peer Server port; 0 (default) lets the OS choose. */
  port?: number;
  /** Peer Server bind address; default all interfaces. */
  host?: string;
  /** Never served even when inside the root (identity folder, friends files). The friends files are added automatically. */
  privatePaths?: string[];
  /** Serve and list dotfiles and dot-folders (`.env`, `.ssh/`, `.git/`); default false. */
  serveDotfiles?: boolean;
  publicAddresses?: string[];
  includeLoopback?: boolean;
  /** Where interface addresses come from; default os.networkInterfaces(). Tests pass loopback only. */
  interfaces?: () => InterfaceAddress[];
  heartbeatIntervalMs?: number;
  addressCheckIntervalMs?: number;
  retryDelayMs?: number;
  relayTimeoutMs?: number;
  friends?: { file: string; statusDir: string; healthIntervalMs?: number; attemptTimeoutMs?: number; strategy?: TryStrategy };
  /** One human-readable line per event. */
  log?: (line: string) => void;
  /** The lifecycle's events as data (the demo reads the register status from them). */
  onEvent?: (event: LifecycleEvent) => void;
  /** A fatal lifecycle event after the peer was live (before that, `live` rejects). */
  onFatal?: (error: PeerFatalError) => void;
}

export interface RunningPeer {
  email: string;
  port: number;
  /** Resolves at the first successful ready; rejects with PeerFatalError if the lifecycle gives up first. */
  live: Promise<{ port: number; addresses: string[] }>;
  lifecycle: PeerLifecycle;
  friends: FriendsMonitor | null;
  /** The friends list as a service (add, remove, check, events), or null without `friends`. */
  friendsList: FriendsList | null;
  /** My own state at the relay, folded from the lifecycle's events. */
  status(): PeerStatus;
  /** Called after every status change; returns the unsubscribe. */
  onStatus(listener: (status: PeerStatus) => void): () => void;
  /** This peer's own authenticated relay port (lookups as this peer: the demo's B uses it). */
  relay: RelayPort;
  /** The identity in use now: a renewal replaces it. */
  currentIdentity(): Identity;
  /** The relay client that presents the identity in use now (for calls the RelayPort lacks: list, health). */
  relayClient(): RelayClient;
  relayUrl: string;
  renewal: CertificateRenewal | null;
  close(): Promise<void>;
}

export class PeerFatalError extends Error {
  constructor(
    readonly code: LifecycleFatalCode,
    message: string,
  ) {
    super(message);
    this.name = 'PeerFatalError';
  }
}

export function systemInterfaces(): InterfaceAddress[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => ({ address: i.address, internal: i.internal })));
}

export async function runPeer(options: RunPeerOptions): Promise<RunningPeer> {
  const log = options.log ?? (() => {});
  // Read the friends list before opening anything, so a bad file fails cleanly.
  const friendEntries = options.friends ? await loadFriendsFile(options.friends.file) : [];
  const holder = new IdentityHolder(
    {
      relayUrl: options.relayUrl,
      ...(options.relayCaPem ? { relayCaPem: options.relayCaPem } : {}),
      insecure: options.insecure ?? false,
      timeoutMs: options.relayTimeoutMs ?? 10_000,
    },
    options.identity,
  );
  let server: RunningPeerServer;
  try {
    if (options.identityDir) await settlePendingRenewal(options.identityDir, holder, (line) => log(line));
    const privatePaths = [...(options.privatePaths ?? []), ...(options.friends ? [options.friends.file, options.friends.statusDir] : [])];
    server = await startPeerServer({ root: options.root, email: options.identity.email, port: options.port ?? 0, privatePaths, serveDotfiles: options.serveDotfiles ?? false, ...(options.host ? { host: options.host } : {}) });
  } catch (error) {
    await holder.close();
    throw error;
  }
  // Through the holder, so every later call presents the certificate in use, renewed or not.
  const relay = relayPortOver({
    register: () => holder.client.register(),
    ready: (payload) => holder.client.ready(payload),
    heartbeat: () => holder.client.heartbeat(),
    lookup: (email) => holder.client.lookup(email),
    goodbye: () => holder.client.goodbye(),
  });
  const runtime = { clock: systemClock, timers: systemTimers() };
  const interfaces = options.interfaces ?? systemInterfaces;
  const addressSource = () => orderAddresses(interfaces(), options.publicAddresses ?? [], { includeLoopback: options.includeLoopback ?? false });

  let resolveLive!: (value: { port: number; addresses: string[] }) => void;
  let rejectLive!: (error: PeerFatalError) => void;
  let isLive = false;
  const live = new Promise<{ port: number; addresses: string[] }>((resolve, reject) => {
    resolveLive = resolve;
    rejectLive = reject;
  });
  live.catch(() => {}); // the caller may attach later; never an unhandled rejection

  let status = initialPeerStatus();
  const statusListeners = new Set<(status: PeerStatus) => void>();
  const setStatus = (next: PeerStatus) => {
    status = next;
    for (const listener of statusListeners) listener(status);
  };
  const lifecycle = new PeerLifecycle(
    { email: options.identity.email, port: server.port, addressSource, ...definedOnly(options, ['heartbeatIntervalMs', 'addressCheckIntervalMs', 'retryDelayMs']) },
    {
      ...runtime,
      relay,
      onEvent: (event) => {
        log(describeLifecycleEvent(event));
        setStatus(nextPeerStatus(status, event));
        options.onEvent?.(event);
        if (event.type === 'ready' && !isLive) {
          isLive = true;
          resolveLive({ port: event.port, addresses: event.addresses });
        }
        if (event.type === 'fatal') {
          const error = new PeerFatalError(event.code, event.message);
          if (isLive) options.onFatal?.(error);
          else rejectLive(error);
        }
      },
    },
  );
  const friends = options.friends ? startFriendsList(options.friends, friendEntries, { ...runtime, dialer: httpDialer, relay, log }) : null;
  const renewal = options.renew === false ? null : startRenewal(holder, options, runtime, log);
  lifecycle.start();
  friends?.monitor.start();
  renewal?.start();
  // What the relay offers (SPEC EXT): a goodbye on close only where it is listed.
  void holder.client.health().then(
    (reply) => {
      const listed = (reply.body as { extensions?: unknown } | null)?.extensions;
      const names = Array.isArray(listed) ? listed.filter((e): e is string => typeof e === 'string') : [];
      lifecycle.relayOffers(names);
      if (names.length > 0) log(`the relay offers: ${names.join(', ')}`);
    },
    () => undefined,
  );
  let closing: Promise<void> | null = null;
  return {
    email: options.identity.email,
    port: server.port,
    live,
    lifecycle,
    friends: friends?.monitor ?? null,
    friendsList: friends,
    status: () => status,
    onStatus(listener) {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    relay,
    currentIdentity: () => holder.identity,
    relayClient: () => holder.client,
    relayUrl: options.relayUrl,
    renewal,
    close() {
      // Idempotent: SIGTERM and a test's cleanup may both ask.
      closing ??= (async () => {
        await new Promise<void>((resolve) => lifecycle.leave(resolve));
        if (status.state !== 'stopped' && status.state !== 'failed') setStatus({ ...status, state: 'stopped', detail: 'stopped' });
        renewal?.stop();
        await friends?.stop();
        await server.close();
        await holder.close();
      })();
      return closing;
    },
  };
}

function startRenewal(holder: IdentityHolder, options: RunPeerOptions, runtime: { clock: typeof systemClock; timers: ReturnType<typeof systemTimers> }, log: (line: string) => void): CertificateRenewal {
  if (!options.identityDir) log('renewal: no identity folder given; a renewed certificate is kept in memory only');
  return new CertificateRenewal(
    { window: windowOf(holder.identity), ...options.renewal },
    { ...runtime, port: renewalPortOver(holder, options.identityDir ?? null, runtime.clock), onEvent: (event) => log(describeRenewalEvent(event)) },
  );
}

export function describeRenewalEvent(event: RenewalEvent): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  switch (event.type) {
    case 'renewal_scheduled':
      return `renewal: certificate valid until ${iso(event.notAfterMs)}; renewing at ${iso(event.renewAtMs)}`;
    case 'renewed':
      return `renewal: the relay took a new certificate, valid until ${iso(event.notAfterMs)}`;
    case 'renewal_failed':
      return `renewal failed (${event.reason}): ${event.message}; retrying in ${Math.round(event.retryInMs / 1000)} s`;
    case 'certificate_expired':
      return `renewal: the certificate expired at ${iso(event.notAfterMs)} without being renewed; the relay will refuse it (certificate_expired)`;
  }
}

export function describeLifecycleEvent(event: LifecycleEvent): string {
  switch (event.type) {
    case 'registered':
      return event.status === 200 ? 'registered with the relay' : 'already registered at the relay (409); the ready will confirm it is our certificate';
    case 'ready':
      return `ready (${event.reason.replace(/_/g, ' ')}): port ${event.port}, addresses ${event.addresses.join(', ')}${event.expiresInS !== undefined ? `, expires in ${event.expiresInS} s` : ''}`;
    case 'heartbeat':
      return `heartbeat ok${event.expiresInS !== undefined ? `, expires in ${event.expiresInS} s` : ''}`;
    case 'broadcast_expired':
      return 'heartbeat got 404: our broadcast expired; sending ready again';
    case 'addresses_changed':
      return `addresses changed: ${event.from.join(', ') || '(none)'} -> ${event.to.join(', ') || '(none)'}`;
    case 'waiting_for_addresses':
      return 'no address left to announce; will send ready when one appears';
    case 'relay_trouble':
      return `relay trouble during ${event.step}: ${event.message}; retrying in ${Math.round(event.retryInMs / 1000)} s`;
    case 'fatal':
      return `fatal (${event.code}): ${event.message}`;
    case 'observed_address':
      return event.announced ? `the relay sees us at ${event.address}; announcing it after our own addresses` : `the relay sees us at ${event.address} (not announced: not public, or one of ours already)`;
    case 'goodbye':
      return event.outcome === 'failed' ? `goodbye failed: ${event.message ?? ''}; the relay lists us until our broadcast expires` : `said goodbye to the relay${event.outcome === 'not_live' ? ' (no live broadcast)' : ': no longer listed'}`;
  }
}

