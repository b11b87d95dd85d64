/**
 * The friends list as a running service: the FriendsMonitor core over real
 * sockets and the relay, kept in step with the friends file (the file
 * decides who is a friend: a user may edit it while we run), with
 * add/remove for RemoteHouse and library users and events to subscribe to.
 *
 * Every file write is chained so two never interleave; add and remove
 * change the file first and the monitor after, so a resync queued before
 * them can never undo them.
 */
import { definedOnly } from '../../shared/defined-only.ts';
import type { Clock } from '../../shared/clock.ts';
import type { Timers } from '../../shared/timers.ts';
import { normalizeEmail, normalizeValidEmail } from '../../shared/email.ts';
import { DEFAULT_HEALTH_INTERVAL_MS, FriendsMonitor, formatSocket, type FriendEntry, type FriendsEvent, type FriendState, type FriendStatus } from '../core/friends-monitor.ts';
import type { Dialer, RelayPort } from '../core/ports.ts';
import type { TryStrategy } from '../core/try-order.ts';
import { loadFriendsFile, saveFriendsFile, saveFriendsStatus } from './friends-file.ts';

export interface FriendsListConfig {
  file: string;
  statusDir: string;
  healthIntervalMs?: number;
  attemptTimeoutMs?: number;
  strategy?: TryStrategy;
}

export interface FriendsListDeps {
  clock: Clock;
  timers: Timers;
  dialer: Dialer;
  relay: RelayPort;
  log: (line: string) => void;
}

export interface FriendsList {
  readonly monitor: FriendsMonitor;
  snapshot(): FriendState[];
  /** Adds to the file and starts checking at once; the state after adding (a friend already there is returned as is). */
  add(email: string): Promise<FriendState>;
  /** Removes from the file and the monitor; false when they were not a friend. */
  remove(email: string): Promise<boolean>;
  /** Checks one friend now; false when they are not a friend. */
  check(email: string): boolean;
  /** Every status change and cache update; returns the unsubscribe. */
  subscribe(listener: (event: FriendsEvent) => void): () => void;
  stop(): Promise<void>;
}

export function startFriendsList(config: FriendsListConfig, entries: FriendEntry[], deps: FriendsListDeps): FriendsList {
  const lastSettled = new Map<string, FriendStatus>();
  const listeners = new Set<(event: FriendsEvent) => void>();
  let writes: Promise<unknown> = Promise.resolve();
  /** Runs after every earlier write; its own failure reaches the caller and does not break the chain. */
  const inOrder = <T>(work: () => Promise<T>): Promise<T> => {
    const next = writes.then(work);
    writes = next.catch(() => undefined);
    return next;
  };
  const chain = (what: string, work: () => Promise<void>) => void inOrder(work).catch((error: unknown) => deps.log(`friends: could not ${what}: ${(error as Error).message}`));
  const saveCache = () =>
    chain('save the cached sockets', async () => {
      const known = new Map(monitor.snapshot().map((f) => [f.email, f.lastGood]));
      const onDisk = await loadFriendsFile(config.file);
      await saveFriendsFile(config.file, onDisk.map((f) => ({ email: f.email, lastGood: known.get(f.email) ?? f.lastGood })));
    });
  const saveStatus = () => chain('save statuses', () => saveFriendsStatus(config.statusDir, monitor.snapshot(), deps.clock.nowMs()));
  const syncWithFile = () =>
    chain('re-read the friends file', async () => {
      const onDisk = await loadFriendsFile(config.file);
      const wanted = new Set(onDisk.map((f) => f.email));
      for (const f of monitor.snapshot()) if (!wanted.has(f.email)) monitor.remove(f.email);
      for (const f of onDisk) if (monitor.statusOf(f.email) === undefined) {
        monitor.add(f);
        monitor.check(f.email);
      }
    });
  const monitor: FriendsMonitor = new FriendsMonitor(
    { friends: entries, ...definedOnly({ healthIntervalMs: config.healthIntervalMs, attemptTimeoutMs: config.attemptTimeoutMs, strategy: config.strategy }) },
    {
      clock: deps.clock,
      timers: deps.timers,
      dialer: deps.dialer,
      relay: deps.relay,
      onEvent: (event) => {
        if (event.type === 'cache_updated') {
          deps.log(`friend ${event.email}: remembering ${formatSocket(event.lastGood)}`);
          saveCache();
        } else if (event.to !== 'checking') {
          const from = lastSettled.get(event.email) ?? 'unknown';
          lastSettled.set(event.email, event.to);
          if (from !== event.to) deps.log(`friend ${event.email}: ${from} -> ${event.to} (${event.detail})`);
        }
        saveStatus();
        for (const listener of listeners) listener(event);
      },
    },
  );
  saveStatus();
  const resync = setInterval(syncWithFile, config.healthIntervalMs ?? DEFAULT_HEALTH_INTERVAL_MS);
  resync.unref();
  const stateOf = (email: string) => monitor.snapshot().find((f) => f.email === email);
  return {
    monitor,
    snapshot: () => monitor.snapshot(),
    add(raw) {
      const email = checkedEmail(raw);
      return inOrder(async () => {
        const onDisk = await loadFriendsFile(config.file);
        if (!onDisk.some((f) => f.email === email)) await saveFriendsFile(config.file, [...onDisk, { email, lastGood: null }]);
        if (monitor.statusOf(email) === undefined) {
          monitor.add({ email, lastGood: null });
          deps.log(`friend ${email}: added`);
          monitor.check(email);
          saveStatus();
        }
        return stateOf(email)!;
      });
    },
    remove(raw) {
      const email = checkedEmail(raw);
      return inOrder(async () => {
        const onDisk = await loadFriendsFile(config.file);
        const known = onDisk.some((f) => f.email === email) || monitor.statusOf(email) !== undefined;
        if (onDisk.some((f) => f.email === email)) await saveFriendsFile(config.file, onDisk.filter((f) => f.email !== email));
        if (monitor.statusOf(email) !== undefined) {
          monitor.remove(email);
          lastSettled.delete(email);
          deps.log(`friend ${email}: removed`);
          saveStatus();
        }
        return known;
      });
    },
    check(raw) {
      const email = normalizeEmail(raw);
      if (monitor.statusOf(email) === undefined) return false;
      monitor.check(email);
      return true;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      clearInterval(resync);
      monitor.stop();
      listeners.clear();
      await writes;
    },
  };
}

/** A RangeError, not a user-input error: the callers (CLI, bridge) check emails before they get here. */
function checkedEmail(raw: string): string {
  const email = normalizeValidEmail(raw);
  if (email === null) throw new RangeError(`${JSON.stringify(raw)} is not an email address`);
  return email;
}

