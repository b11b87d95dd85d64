/**
 * SPEC EXP-*: broadcasts expire TTL after the last ready or heartbeat.
 * Time passes in real time or through the test-control profile (see
 * runner/time-control.ts); the checks sit a safe margin either side of the
 * expiry instant, since the relay's instant of ready lies between our send
 * and our receipt.
 */
import type { CaseContext } from '../runner/types.ts';
import { check, describeReply, expectError, expectStatus, isInteger } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, PATHS, registeredPeer, timelineOf, walkList } from './steps.ts';

async function expiringPeer(context: CaseContext, tag: string) {
  context.time.requireStrategy();
  const peer = await registeredPeer(context, { tag });
  const observer = await registeredPeer(context, { tag: 'observer' });
  const ready = await announce(context, peer);
  return { peer, observer, ready, timeline: timelineOf(context, ready), ttl: ready.expiresInSeconds };
}

const POLL_INTERVAL_MS = 100;

export default defineCases([
  {
    id: 'EXP-1/lookup-gone-after-ttl',
    requirements: ['EXP-1'],
    title: 'lookup answers 404 once the TTL has passed',
    timing: 'expiry',
    async run(context) {
      const { peer, observer, timeline, ttl } = await expiringPeer(context, 'exp1');
      await timeline.reach(timeline.surelyExpiredAtMs(ttl));
      expectError(await context.client.get(lookupPath(peer.email), observer), 404, 'peer_not_found', `lookup just after ready + TTL (${ttl} s)`);
    },
  },
  {
    id: 'EXP-2/live-until-expiry',
    requirements: ['EXP-2'],
    title: 'lookup still finds the broadcast shortly before its expiry',
    timing: 'expiry',
    async run(context) {
      const { peer, observer, timeline, ttl } = await expiringPeer(context, 'exp2');
      await timeline.reach(timeline.surelyLiveAtMs(ttl));
      expectStatus(await context.client.get(lookupPath(peer.email), observer), 200, `lookup ${((timeline.nowMs() - timeline.sentAtMs) / 1000).toFixed(2)} s after ready (TTL ${ttl} s)`);
    },
  },
  {
    id: 'EXP-3/list-gone-after-ttl',
    requirements: ['EXP-3', 'LIST-7'],
    title: 'list drops the broadcast once the TTL has passed',
    timing: 'expiry',
    async run(context) {
      const { peer, observer, timeline, ttl } = await expiringPeer(context, '0000exp3');
      const before = await walkList(context, observer, 1000, peer.email);
      check(before.items.some((i) => i.email === peer.email), `${peer.email} listed while live`, 'absent before expiry');
      await timeline.reach(timeline.surelyExpiredAtMs(ttl));
      const after = await walkList(context, observer, 1000, peer.email);
      check(!after.items.some((i) => i.email === peer.email), `${peer.email} absent just after ready + TTL (${ttl} s)`, 'still listed');
    },
  },
  {
    id: 'EXP-4/heartbeat-after-expiry',
    requirements: ['EXP-4', 'HB-3'],
    title: 'after expiry a heartbeat is refused and a new ready revives the peer',
    timing: 'expiry',
    async run(context) {
      const { peer, observer, timeline, ttl } = await expiringPeer(context, 'exp4');
      await timeline.reach(timeline.surelyExpiredAtMs(ttl));
      expectError(await context.client.post(PATHS.heartbeat, {}, peer), 404, 'no_live_broadcast', 'heartbeat after expiry');
      await announce(context, peer);
      expectStatus(await context.client.get(lookupPath(peer.email), observer), 200, 'lookup after a new ready');
    },
  },
  {
    id: 'EXP-5/observed-lifetime',
    requirements: ['EXP-5'],
    title: 'the observed lifetime matches expires_in (margin reported)',
    timing: 'expiry',
    async run(context) {
      const { peer, observer, ready, timeline, ttl } = await expiringPeer(context, 'exp5');
      // Margins absorb real request latency, so they scale with --time-warp (one real ms is K relay ms).
      await timeline.reach(ready.sentAtMs + ttl * 1000 - Math.min(ttl * 500, timeline.latencyMs(1500)));
      let lastLiveMs = timeline.nowMs();
      let goneMs: number | null = null;
      let pollRoundTripMs = 0;
      const deadlineMs = ready.receivedAtMs + ttl * 1000 + timeline.latencyMs(3000);
      while (goneMs === null && timeline.nowMs() < deadlineMs) {
        const askedAt = timeline.nowMs();
        const reply = await context.client.get(lookupPath(peer.email), observer);
        pollRoundTripMs = timeline.nowMs() - askedAt;
        if (reply.status === 404) goneMs = askedAt;
        else lastLiveMs = askedAt;
        if (goneMs === null) await timeline.reach(timeline.nowMs() + timeline.latencyMs(POLL_INTERVAL_MS));
      }
      if (goneMs === null) {
        context.fact('observed expiry', `still live ${((deadlineMs - ready.sentAtMs) / 1000).toFixed(1)} s after ready (declared TTL ${ttl} s)`);
        return check(false, `gone within ${ttl} s ± 1 s`, `still live ${((deadlineMs - ready.sentAtMs) / 1000).toFixed(1)} s after ready`);
      }
      const observedS = ((lastLiveMs + goneMs) / 2 - ready.sentAtMs) / 1000;
      const margin = observedS - ttl;
      // ± 1 s of wire rounding, plus what we cannot see: when in its round trip the relay took the ready, and the poll step.
      const toleranceS = 1 + (ready.receivedAtMs - ready.sentAtMs + pollRoundTripMs + (goneMs - lastLiveMs)) / 1000;
      const warp = timeline.warp > 1 ? `, relay clock ${timeline.warp}x` : '';
      const text = `observed expiry ${observedS.toFixed(2)} s after ready (declared TTL ${ttl} s): margin ${margin >= 0 ? '+' : ''}${margin.toFixed(2)} s (${margin >= 0 ? 'late' : 'early'}), via ${timeline.strategy}${warp}; tolerance ± ${toleranceS.toFixed(2)} s`;
      context.fact('observed expiry', text);
      context.note(text);
      check(Math.abs(margin) <= toleranceS, `expiry ${ttl} s ± ${toleranceS.toFixed(2)} s after ready`, text);
    },
  },
  {
    id: 'EXP-6/same-ttl-everywhere',
    requirements: ['EXP-6', 'HB-1'],
    title: 'ready and heartbeat declare the same positive integer expires_in',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'exp6' });
      const first = await announce(context, peer);
      const second = await announce(context, peer);
      const heartbeat = await context.client.post(PATHS.heartbeat, {}, peer);
      const hb = expectStatus(heartbeat, 200, 'heartbeat');
      const values = [first.expiresInSeconds, second.expiresInSeconds, hb.expires_in];
      check(values.every((v) => isInteger(v) && (v as number) > 0 && v === values[0]), `the same positive integer expires_in three times`, `${JSON.stringify(values)} (last: ${describeReply(heartbeat)})`);
    },
  },
]);
