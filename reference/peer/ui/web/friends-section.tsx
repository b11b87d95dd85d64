/** Friends: add by email, remove, check now, visit; statuses arrive live. */
import { useState } from 'preact/hooks';
import type { FriendStatusView, FriendView } from '../bridge-contract.ts';
import { formatMoment } from './format.ts';
import { useNow } from './hooks.ts';
import { lineClass, MessageText } from './message-text.tsx';
import { MarkedText, PeerText } from './peer-text.tsx';
import { Problem } from './problem.ts';
import type { Report } from './problems.ts';

const STATUS_WORDS: Record<FriendStatusView, string> = { online: 'Online', offline: 'Offline', checking: 'Checking', unknown: 'Unknown' };

function statusOf(friend: FriendView): FriendStatusView {
  return friend.status in STATUS_WORDS ? friend.status : 'unknown';
}

interface Props {
  friends: FriendView[] | null;
  note: string | null;
  report: Report;
  onVisit(email: string): void;
  onAdd(email: string): Promise<unknown>;
  onRemove(email: string): Promise<void>;
  onCheck(email: string): Promise<void>;
}

export function FriendsSection({ friends, note, report, onVisit, onAdd, onRemove, onCheck }: Props) {
  const [email, setEmail] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [busy, setBusy] = useState<Record<string, 'check' | 'remove'>>({});
  const now = useNow(10_000);

  const submit = async (event: Event) => {
    event.preventDefault();
    const wanted = email.trim();
    if (!wanted) return setFormError('type the email of the friend to add');
    setAdding(true);
    try {
      await onAdd(wanted);
      setEmail('');
      setFormError(null);
      report('friends', null);
    } catch (error) {
      if (error instanceof Problem && error.code !== 'bridge_gone') setFormError(error.message);
      else {
        setFormError(null);
        report('friends', error);
      }
    } finally {
      setAdding(false);
    }
  };

  const act = async (friend: string, kind: 'check' | 'remove', run: (email: string) => Promise<void>) => {
    setBusy((b) => ({ ...b, [friend]: kind }));
    try {
      await run(friend);
      report('friends', null);
    } catch (error) {
      report('friends', error);
    } finally {
      setBusy((b) => {
        const { [friend]: _, ...rest } = b;
        return rest;
      });
    }
  };

  const online = friends?.filter((f) => statusOf(f) === 'online').length ?? 0;

  return (
    <section id="friends" class="card" aria-labelledby="friends-title">
      <h2 id="friends-title">Friends</h2>
      <form id="add-friend" class="add-friend" noValidate onSubmit={(e) => void submit(e)}>
        <label for="add-friend-email">Add a friend by email</label>
        <div class="inline">
          <input
            id="add-friend-email"
            type="email"
            inputMode="email"
            autocomplete="off"
            spellcheck={false}
            value={email}
            aria-invalid={formError ? 'true' : undefined}
            aria-describedby={formError ? 'add-friend-error' : undefined}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
          <button type="submit" disabled={adding}>
            Add
          </button>
        </div>
        <p id="add-friend-error" class={lineClass('field-error', formError)} role="alert">
          {formError ? <MessageText text={formError} /> : null}
        </p>
      </form>
      <p class="note" aria-live="polite">
        <MarkedText text={friends === null ? 'Loading the friends list…' : friends.length === 0 ? note ?? 'No friends yet: add one by email, or with “Add friend” on an online peer.' : `${online} of ${friends.length} online.`} />
      </p>
      {friends && friends.length > 0 ? (
        <ul class="rows">
          {friends.map((friend, i) => {
            const status = statusOf(friend);
            const id = `friend-${i}`;
            const doing = busy[friend.email];
            return (
              <li key={friend.email} data-email={friend.email} class={`row friend friend-${status}`}>
                <div class="row-main">
                  <p class="row-title">
                    <PeerText id={`${id}-email`} class="email" text={friend.email} />
                    <span data-field="status" data-status={status} class={`status status-${status}`}>
                      {STATUS_WORDS[status]}
                    </span>
                  </p>
                  <p class="meta">
                    <span>
                      Socket{' '}
                      <span data-field="socket" class="mono wrap-any">
                        {friend.cachedSocket ? <PeerText text={friend.cachedSocket} /> : '—'}
                      </span>
                    </span>
                    <span>
                      Last check <span data-field="last-check">{friend.lastCheckedAt ? formatMoment(friend.lastCheckedAt, now) : 'never'}</span>
                    </span>
                  </p>
                  {friend.detail ? (
                    <p data-field="detail" class="meta detail">
                      <MarkedText text={friend.detail} />
                    </p>
                  ) : null}
                </div>
                <div class="row-actions">
                  <button type="button" aria-describedby={`${id}-email`} onClick={() => onVisit(friend.email)}>
                    Visit
                  </button>
                  <button type="button" aria-describedby={`${id}-email`} disabled={doing === 'check'} onClick={() => void act(friend.email, 'check', onCheck)}>
                    Check now
                  </button>
                  <button type="button" class="danger" aria-describedby={`${id}-email`} disabled={doing === 'remove'} onClick={() => void act(friend.email, 'remove', onRemove)}>
                    Remove
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}
