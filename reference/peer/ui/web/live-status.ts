/**
 * "me" and the friends list: fetched once, then kept live from
 * /bridge/events (a snapshot first, then each change). The stream is
 * reopened after it ends or breaks, waiting 1 s, 2 s, 4 s … up to 10 s.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { BRIDGE_PATHS } from '../bridge-contract.ts';
import type { FriendsAnswer, FriendView, MeView } from '../bridge-contract.ts';
import { bridgeJson, postJson, bridgeFetch } from './bridge-client.ts';
import { openBridgeStream } from './event-stream.ts';
import { isAbort, Problem } from './problem.ts';
import type { Report } from './problems.ts';

export interface LiveStatus {
  me: MeView | null;
  friends: FriendView[] | null;
  /** Why the friends list could not be read (e.g. no_friends_list), shown in that section. */
  friendsNote: string | null;
  addFriend(email: string): Promise<FriendView>;
  removeFriend(email: string): Promise<void>;
  checkFriend(email: string): Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function useLiveStatus(report: Report): LiveStatus {
  const [me, setMe] = useState<MeView | null>(null);
  const [friends, setFriends] = useState<FriendView[] | null>(null);
  const [friendsNote, setFriendsNote] = useState<string | null>(null);
  // Once the stream has spoken, the first GETs (possibly older) are not applied.
  const streamed = useRef({ me: false, friends: false });

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    bridgeJson<MeView>(BRIDGE_PATHS.me, {}, signal).then(
      (answer) => {
        if (!streamed.current.me && answer && typeof answer === 'object') setMe(answer);
      },
      (error) => report('bridge', error),
    );
    bridgeJson<FriendsAnswer>(BRIDGE_PATHS.friends, {}, signal).then(
      (answer) => {
        if (!streamed.current.friends && Array.isArray(answer?.friends)) setFriends(answer.friends);
      },
      (error) => {
        if (isAbort(error)) return;
        if (error instanceof Problem && error.code !== 'bridge_gone' && error.code !== 'token_required') {
          setFriendsNote(error.message);
          setFriends((list) => list ?? []);
        } else report('friends', error);
      },
    );

    void (async () => {
      let delay = 1000;
      while (!signal.aborted) {
        try {
          await openBridgeStream(
            BRIDGE_PATHS.events,
            { signal },
            (type, value) => {
              if (type === 'me' && value.me && typeof value.me === 'object') {
                streamed.current.me = true;
                setMe(value.me as MeView);
              } else if (type === 'friends' && Array.isArray(value.friends)) {
                streamed.current.friends = true;
                setFriendsNote(null);
                setFriends(value.friends as FriendView[]);
              }
            },
            () => {
              delay = 1000;
              report('bridge', null);
            },
          );
        } catch (error) {
          if (isAbort(error)) return;
          report('bridge', error);
        }
        await sleep(delay, signal);
        delay = Math.min(delay * 2, 10_000);
      }
    })();
    return () => controller.abort();
  }, [report]);

  const addFriend = useCallback(async (email: string) => {
    const added = await postJson<FriendView>(BRIDGE_PATHS.friends, { email });
    if (added && typeof added.email === 'string') {
      setFriendsNote(null);
      setFriends((list) => [...(list ?? []).filter((f) => !sameEmail(f.email, added.email)), added]);
    }
    return added;
  }, []);

  const removeFriend = useCallback(async (email: string) => {
    await bridgeFetch(BRIDGE_PATHS.friend(email), { method: 'DELETE' });
    setFriends((list) => (list ?? []).filter((f) => !sameEmail(f.email, email)));
  }, []);

  const checkFriend = useCallback(async (email: string) => {
    await bridgeFetch(`${BRIDGE_PATHS.friend(email)}/check`, { method: 'POST' });
  }, []);

  return { me, friends, friendsNote, addFriend, removeFriend, checkFriend };
}
