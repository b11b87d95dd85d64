/**
 * Online peers from the relay, a page at a time ("More" follows
 * nextCursor); the filter re-queries with `q` once typing pauses.
 */
import { Fragment } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { BRIDGE_PATHS } from '../bridge-contract.ts';
import type { OnlinePeerView, PeersAnswer } from '../bridge-contract.ts';
import { bridgeJson } from './bridge-client.ts';
import { formatMoment, socketText } from './format.ts';
import { useDebounced, useNow } from './hooks.ts';
import { MarkedText, PeerText } from './peer-text.tsx';
import type { Report } from './problems.ts';

const PAGE_SIZE = 25;
const FILTER_DELAY_MS = 300;

interface Props {
  report: Report;
  /** Lower-cased emails of friends, once the list is known (then it decides "already a friend"). */
  friendEmails: Set<string> | null;
  onVisit(email: string): void;
  onAddFriend(email: string): Promise<unknown>;
}

interface PeersList {
  q: string;
  peers: OnlinePeerView[];
  nextCursor: string | null;
  scanned: number | null;
}

export function PeersSection({ report, friendEmails, onVisit, onAddFriend }: Props) {
  const [filter, setFilter] = useState('');
  const q = useDebounced(filter.trim(), FILTER_DELAY_MS);
  const [list, setList] = useState<PeersList | null>(null);
  const [loading, setLoading] = useState(false);
  const [reloads, setReloads] = useState(0);
  const [adding, setAdding] = useState<string | null>(null);
  const request = useRef<AbortController | null>(null);
  const now = useNow(10_000);

  const load = useCallback(
    (query: string, cursor: string | null) => {
      request.current?.abort();
      const controller = new AbortController();
      request.current = controller;
      const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor) params.set('cursor', cursor);
      if (query) params.set('q', query);
      setLoading(true);
      bridgeJson<PeersAnswer>(`${BRIDGE_PATHS.peers}?${params}`, {}, controller.signal).then(
        (answer) => {
          if (controller.signal.aborted) return;
          setLoading(false);
          report('peers', null);
          const peers = Array.isArray(answer?.peers) ? answer.peers.filter((p) => p && typeof p.email === 'string') : [];
          const nextCursor = typeof answer?.nextCursor === 'string' && answer.nextCursor !== '' ? answer.nextCursor : null;
          const scanned = typeof answer?.scanned === 'number' ? answer.scanned : null;
          setList((old) =>
            cursor && old && old.q === query
              ? { q: query, peers: [...old.peers, ...peers.filter((p) => !old.peers.some((o) => o.email === p.email))], nextCursor, scanned: (old.scanned ?? 0) + (scanned ?? 0) || null }
              : { q: query, peers, nextCursor, scanned },
          );
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          setLoading(false);
          report('peers', error);
        },
      );
    },
    [report],
  );

  useEffect(() => {
    load(q, null);
  }, [q, reloads, load]);
  useEffect(() => () => request.current?.abort(), []);

  const add = async (email: string) => {
    setAdding(email);
    try {
      await onAddFriend(email);
      report('friends', null);
    } catch (error) {
      report('friends', error);
    } finally {
      setAdding(null);
    }
  };

  const peers = list?.peers ?? [];
  let summary: string;
  if (loading) summary = list ? 'Updating…' : 'Asking the relay who is online…';
  else if (!list) summary = 'The list of online peers could not be loaded.';
  else if (peers.length === 0) summary = list.q ? `No online peer matches “${list.q}”.` : 'No one else is online at the relay.';
  else summary = `${peers.length} ${peers.length === 1 ? 'peer' : 'peers'} online${list.q ? ` matching “${list.q}”` : ''}${list.nextCursor ? ' so far' : ''}${list.scanned ? ` (${list.scanned} relay entries looked at)` : ''}.`;

  return (
    <section id="peers" class="card" aria-labelledby="peers-title">
      <h2 id="peers-title">Online peers</h2>
      <div class="toolbar">
        <label for="peer-filter">Filter by email</label>
        <input id="peer-filter" type="search" autocomplete="off" spellcheck={false} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <button type="button" id="peers-reload" onClick={() => setReloads((n) => n + 1)}>
          Reload list
        </button>
      </div>
      <p class="note" aria-live="polite">
        <MarkedText text={summary} />
      </p>
      {peers.length > 0 ? (
        <ul class="rows peers-list">
          {peers.map((peer, i) => {
            const isFriend = friendEmails ? friendEmails.has(peer.email.toLowerCase()) : peer.isFriend;
            const id = `peer-${i}`;
            const addresses = Array.isArray(peer.addresses) ? peer.addresses : [];
            return (
              <li key={peer.email} data-email={peer.email} class="row">
                <div class="row-main">
                  <p class="row-title">
                    <PeerText id={`${id}-email`} class="email" text={peer.email} />
                    {isFriend ? <span class="badge">friend</span> : null}
                  </p>
                  <p class="meta">
                    <span>Last seen {peer.lastSeen ? formatMoment(peer.lastSeen, now) : 'unknown'}</span>
                    <span class="mono wrap-any">
                      {addresses.length > 0
                        ? addresses.map((a, j) => (
                            <Fragment key={j}>
                              {j > 0 ? ', ' : ''}
                              <PeerText text={socketText(String(a), peer.port)} />
                            </Fragment>
                          ))
                        : 'no addresses'}
                    </span>
                  </p>
                </div>
                <div class="row-actions">
                  <button type="button" aria-describedby={`${id}-email`} onClick={() => onVisit(peer.email)}>
                    Visit
                  </button>
                  <button type="button" aria-describedby={`${id}-email`} disabled={isFriend || adding === peer.email} title={isFriend ? 'Already a friend' : undefined} onClick={() => void add(peer.email)}>
                    Add friend
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
      {list?.nextCursor ? (
        <button type="button" id="peers-more" disabled={loading} onClick={() => load(list.q, list.nextCursor)}>
          More
        </button>
      ) : null}
    </section>
  );
}
