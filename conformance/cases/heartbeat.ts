/** SPEC HB-*: keeping a broadcast alive (`POST /api/relay/broadcast/heartbeat`). */
import { CaseSkip, check, describeReply, expectError, expectStatus, isInteger, sameJson } from '../runner/verify.ts';
import { announce, defineCases, lookupPath, lookupShown, PATHS, registeredPeer, timedPost, timelineOf } from './steps.ts';

/** Wait between the ready and the heartbeat in HB-1: over one second, the wire's time resolution. */
const MOVE_GAP_MS = 1100;

export default defineCases([
  {
    id: 'HB-1/alive',
    requirements: ['HB-1'],
    title: 'a heartbeat on a live broadcast answers 200 alive and moves the expiry',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'hb' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      await announce(context, peer);
      const before = expectStatus(await context.client.get(lookupPath(peer.email), observer), 200, 'lookup before the heartbeat');
      // Over a second later, "now + TTL" lies at least one whole second past the old expiry (times are whole
      // seconds), so a heartbeat that answers alive without moving the expiry shows here, not only in HB-2.
      await new Promise((resolve) => setTimeout(resolve, MOVE_GAP_MS));
      const reply = await context.client.post(PATHS.heartbeat, {}, peer);
      const body = expectStatus(reply, 200, 'heartbeat');
      check(body.status === 'alive' && isInteger(body.expires_in) && isInteger(body.broadcast_expires),
        '{"status":"alive","expires_in":<integer>,"broadcast_expires":<integer>}', describeReply(reply));
      check((body.broadcast_expires as number) > (before.broadcast_expires as number),
        `"broadcast_expires" > ${String(before.broadcast_expires)} (the expiry before the heartbeat, ${MOVE_GAP_MS} ms earlier: now + TTL moved it)`, describeReply(reply));
      const after = expectStatus(await context.client.get(lookupPath(peer.email), observer), 200, 'lookup after the heartbeat');
      check(after.broadcast_expires === body.broadcast_expires, `lookup "broadcast_expires": ${String(body.broadcast_expires)} (as the heartbeat said)`, `"broadcast_expires": ${String(after.broadcast_expires)}`);
    },
  },
  {
    id: 'HB-3/never-announced',
    requirements: ['HB-3'],
    title: 'a heartbeat without any broadcast answers 404 no_live_broadcast',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'hbnone' });
      expectError(await context.client.post(PATHS.heartbeat, {}, peer), 404, 'no_live_broadcast', 'heartbeat before any ready');
    },
  },
  {
    id: 'HB-3/after-expiry',
    requirements: ['HB-3'],
    title: 'a heartbeat after the broadcast expired answers 404 no_live_broadcast and revives nothing',
    timing: 'expiry',
    async run(context) {
      context.time.requireStrategy();
      const peer = await registeredPeer(context, { tag: 'hbexpired' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const ready = await announce(context, peer);
      const timeline = timelineOf(context, ready);
      await timeline.reach(timeline.surelyExpiredAtMs(ready.expiresInSeconds));
      expectError(await context.client.post(PATHS.heartbeat, {}, peer), 404, 'no_live_broadcast', `heartbeat after ready + TTL (${ready.expiresInSeconds} s)`);
      expectError(await context.client.get(lookupPath(peer.email), observer), 404, 'peer_not_found', 'lookup after that refused heartbeat (it must not revive the broadcast)');
    },
  },
  {
    id: 'HB-4/broadcast-unchanged',
    requirements: ['HB-4'],
    title: 'a heartbeat leaves port, addresses and capabilities as they were',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'hbkeep' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const broadcast = { port: 45678, addresses: ['192.168.77.1', '2001:db8::77'], capabilities: { files: true } };
      await announce(context, peer, broadcast);
      // Compared with what lookup showed before the heartbeat, so a READY defect (capabilities dropped) is not charged to HB-4.
      const before = await lookupShown(context, observer, peer.email, `${peer.email} before the heartbeat`);
      expectStatus(await context.client.post(PATHS.heartbeat, { port: 1, addresses: ['10.9.9.9'] }, peer), 200, 'heartbeat (with a body that must not matter)');
      const reply = await context.client.get(lookupPath(peer.email), observer);
      const body = expectStatus(reply, 200, 'lookup after the heartbeat');
      check(sameJson({ port: body.port, addresses: body.addresses, capabilities: body.capabilities }, before), `the broadcast as lookup showed it before the heartbeat: ${JSON.stringify(before)}`, describeReply(reply));
    },
  },
  {
    id: 'HB-2/extends-past-old-expiry',
    requirements: ['HB-2', 'HB-1'],
    title: 'after a heartbeat the broadcast outlives its original expiry',
    timing: 'expiry',
    async run(context) {
      const peer = await registeredPeer(context, { tag: 'hbextend' });
      const observer = await registeredPeer(context, { tag: 'observer' });
      const ready = await announce(context, peer);
      const ttl = ready.expiresInSeconds;
      if (ttl < 2) throw new CaseSkip(`TTL ${ttl} s is too short to place a heartbeat between ready and expiry with margins`);
      const timeline = timelineOf(context, ready);
      await timeline.reach(ready.receivedAtMs + Math.max(timeline.latencyMs(1500), ttl * 500));
      const heartbeat = await timedPost(context, PATHS.heartbeat, {}, peer);
      expectStatus(heartbeat.reply, 200, 'heartbeat while live');
      // Past the first expiry, still well before the extended one.
      await timeline.reach(timeline.surelyExpiredAtMs(ttl));
      check(timeline.nowMs() < heartbeat.sentAtMs + ttl * 1000 - timeline.latencyMs(300), 'the check to fall before the extended expiry', 'the run was too slow to check in time');
      const reply = await context.client.get(lookupPath(peer.email), observer);
      expectStatus(reply, 200, `lookup ${((timeline.nowMs() - ready.receivedAtMs) / 1000).toFixed(2)} s after ready (TTL ${ttl} s), heartbeat in between`);
    },
  },
]);
