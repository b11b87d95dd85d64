/** SPEC LIST-*: online peers (`GET /api/relay/broadcast/list`). */
import type { CaseContext } from '../runner/types.ts';
import { check, describeReply, expectError, fail } from '../runner/verify.ts';
import { announce, compareEmails, defineCases, nextLink, PATHS, registeredPeer, subCases, table, walkList, type ListItem } from './steps.ts';

/** Emails with this tag sort near the front of any list, so walks stay short on a busy relay. */
const EARLY_TAG = '0000list';

async function liveGroup(context: CaseContext, size: number) {
  const peers = [];
  for (let i = 0; i < size; i += 1) {
    const peer = await registeredPeer(context, { tag: EARLY_TAG });
    const announced = await announce(context, peer);
    peers.push({ identity: peer, broadcast: announced.broadcast });
  }
  return peers.sort((a, b) => compareEmails(a.identity.email, b.identity.email));
}

function occurrences(items: ListItem[], email: string): number {
  return items.filter((item) => item.email === email).length;
}

export default defineCases([
  {
    id: 'LIST-1/item-shape',
    requirements: ['LIST-1'],
    title: 'the list is a JSON array of {email, port, addresses, last_seen}',
    async run(context) {
      const [peer] = await liveGroup(context, 1);
      const caller = await registeredPeer(context, { tag: 'caller' });
      const walk = await walkList(context, caller, 1000, peer?.identity.email ?? null);
      const item = walk.items.find((i) => i.email === peer?.identity.email);
      if (!item || !peer) return fail(`${peer?.identity.email} in the list`, `${walk.items.length} items without it`);
      const expected = { email: peer.identity.email, port: peer.broadcast.port, addresses: peer.broadcast.addresses };
      check(JSON.stringify({ email: item.email, port: item.port, addresses: item.addresses }) === JSON.stringify(expected) && Number.isInteger(item.last_seen),
        `${JSON.stringify(expected).slice(0, -1)},"last_seen":<integer>}`, JSON.stringify(item));
      for (const each of walk.items) {
        const shapeOk = typeof each.email === 'string' && Number.isInteger(each.port) && Array.isArray(each.addresses) && Number.isInteger(each.last_seen);
        check(shapeOk, 'every item {email: string, port: integer, addresses: array, last_seen: integer}', JSON.stringify(each));
      }
    },
  },
  {
    id: 'LIST-2/caller-excluded',
    requirements: ['LIST-2'],
    title: "the caller's own broadcast is not listed; others see it",
    async run(context) {
      const [self] = await liveGroup(context, 1);
      if (!self) return;
      const other = await registeredPeer(context, { tag: 'other' });
      const own = await walkList(context, self.identity, 1000, self.identity.email);
      check(occurrences(own.items, self.identity.email) === 0, `no item for the caller ${self.identity.email}`, `the caller is listed`);
      const theirs = await walkList(context, other, 1000, self.identity.email);
      check(occurrences(theirs.items, self.identity.email) === 1, `${self.identity.email} listed once for another caller`, `${occurrences(theirs.items, self.identity.email)} times`);
    },
  },
  {
    id: 'LIST-3/sorted-by-email',
    requirements: ['LIST-3', 'LIST-5'],
    title: 'the whole list, across pages, is sorted by email in byte order',
    async run(context) {
      await liveGroup(context, 3);
      const caller = await registeredPeer(context, { tag: 'caller' });
      const walk = await walkList(context, caller, 1000);
      for (let i = 1; i < walk.items.length; i += 1) {
        const [a, b] = [String(walk.items[i - 1]?.email), String(walk.items[i]?.email)];
        check(compareEmails(a, b) < 0, `"${a}" before "${b}" (strictly ascending)`, `item ${i - 1} is "${a}", item ${i} is "${b}"`);
      }
    },
  },
  {
    id: 'LIST-4/limit-respected',
    requirements: ['LIST-4'],
    title: 'limit=1 returns one item; default and 1000 are accepted',
    async run(context) {
      await liveGroup(context, 2);
      const caller = await registeredPeer(context, { tag: 'caller' });
      const one = await context.client.get(`${PATHS.list}?limit=1`, caller);
      check(one.status === 200 && Array.isArray(one.json) && one.json.length === 1, 'HTTP 200 with exactly 1 item (2 or more are live)', describeReply(one));
      for (const path of [PATHS.list, `${PATHS.list}?limit=1000`]) {
        const reply = await context.client.get(path, caller);
        const count = Array.isArray(reply.json) ? reply.json.length : -1;
        const cap = path.endsWith('1000') ? 1000 : 100;
        check(reply.status === 200 && count >= 2 && count <= cap, `GET ${path}: HTTP 200 with 2..${cap} items`, describeReply(reply));
      }
    },
  },
  ...subCases({ id: 'LIST-4/invalid-limit', requirements: ['LIST-4'], title: (label) => `limit=${label} is refused` },
    table(['0', '1001', '-1', '1.5', 'ten', '', '1e3', '99999999999']).map((input) => ({ ...input, label: input.value === '' ? 'empty' : input.value })),
    async (context, limit) => {
      const caller = await registeredPeer(context, { tag: 'caller' });
      expectError(await context.client.get(`${PATHS.list}?limit=${encodeURIComponent(limit)}`, caller), 400, 'invalid_limit', `list?limit=${limit}`);
    }),
  {
    id: 'LIST-5/pages-visit-each-once',
    requirements: ['LIST-5'],
    title: 'following rel="next" visits every broadcast exactly once, and the last page has no next link',
    async run(context) {
      const group = await liveGroup(context, 5);
      const caller = await registeredPeer(context, { tag: 'caller' });
      const last = group[group.length - 1]?.identity.email ?? null;
      const small = await walkList(context, caller, 2, last);
      for (const { identity } of group) {
        check(occurrences(small.items, identity.email) === 1, `${identity.email} exactly once across pages of 2`, `${occurrences(small.items, identity.email)} times in ${small.pages.length} pages`);
      }
      // A next link that leads to an empty page means the page before it was the last one and still had a link.
      const emptyAfterLink = small.pages.slice(1).findIndex((page) => (page.json as unknown[]).length === 0);
      check(emptyAfterLink < 0, 'every rel="next" link leads to a page with items (the last page has none)', `page ${emptyAfterLink + 2} of ${small.pages.length} is empty`);
      const whole = await walkList(context, caller, 1000);
      const seen = new Set<string>();
      for (const item of whole.items) {
        check(!seen.has(String(item.email)), `each email once in the whole list`, `${String(item.email)} twice`);
        seen.add(String(item.email));
      }
      const emptyTail = whole.pages.slice(1).findIndex((page) => (page.json as unknown[]).length === 0);
      check(emptyTail < 0, 'no rel="next" link on the last page (none leads to an empty page)', `page ${emptyTail + 2} of ${whole.pages.length} is empty`);
    },
  },
  ...subCases({ id: 'LIST-6/foreign-cursor', requirements: ['LIST-6'], title: (label) => `cursor=${label}, never issued, is refused` },
    table(['!!!', 'zzzz', 'not a cursor', '%00']).map((input) => ({ ...input, label: input.value })),
    async (context, cursor) => {
      const caller = await registeredPeer(context, { tag: 'caller' });
      expectError(await context.client.get(`${PATHS.list}?cursor=${encodeURIComponent(cursor)}`, caller), 400, 'invalid_cursor', `list?cursor=${cursor}`);
    }),
  {
    id: 'LIST-7/registered-without-broadcast-absent',
    requirements: ['LIST-7'],
    title: 'registered peers that never sent ready are not listed',
    async run(context) {
      const silent = await registeredPeer(context, { tag: EARLY_TAG });
      const [live] = await liveGroup(context, 1);
      const caller = await registeredPeer(context, { tag: 'caller' });
      const stop = compareEmails(silent.email, live?.identity.email ?? '') > 0 ? silent.email : (live?.identity.email ?? null);
      const walk = await walkList(context, caller, 1000, stop);
      check(occurrences(walk.items, silent.email) === 0, `no item for ${silent.email} (never sent ready)`, 'it is listed');
      check(occurrences(walk.items, live?.identity.email ?? '') === 1, `${live?.identity.email} listed (live)`, 'it is missing');
    },
  },
]);
