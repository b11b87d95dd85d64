/**
 * The benchmark workload itself (bench/sim.bench.ts bundles and runs it):
 * the simulator's throughput on the issue's workload:
 * 100,000 peers over 24 virtual hours, heartbeats every 30 min, 4 lookups
 * and dials per peer per hour, 10% churn per hour (5% leave, 5% crash,
 * replaced by joins). Prints events/s, wall time and peak memory.
 * `--peers N --duration 2h` scale it down; `--seed N` changes the seed.
 * `--relay-core-time` adds the relay core's floors, `--live-heap` the held
 * memory, `--by-module` the run's time by source module and, with
 * --relay-core-time, the floor under wall / alone (bench/module-profile.ts).
 * Each figure is printed beside the issue's target it answers to.
 */
import { parseArgs } from 'node:util';
import { buildResults } from '../simulator/report/results.ts';
import { World } from '../simulator/world/world.ts';
import { parseScenario } from '../simulator/scenario/load-scenario.ts';
import { dependentLoadNs } from './memory-latency.ts';
import { relayCoreAloneUs } from './relay-core-alone.ts';
import { storeFloorUs } from './relay-core-floor.ts';
import { relayFloor } from './sim-memory-floor.ts';
import { splitHeld } from './memory-split.ts';
import { peerCoreBytes } from './peer-core-floor.ts';
import { timeRelayCore, type RelayCoreTiming } from './relay-core-timer.ts';
import { ratioToLimit } from './verdict.ts';
import { startModuleProfile } from './module-profile.ts';
import { printModuleProfile } from './module-profile-report.ts';

const { values } = parseArgs({ options: { peers: { type: 'string', default: '100000' }, duration: { type: 'string', default: '24h' }, seed: { type: 'string', default: '1' }, 'live-heap': { type: 'boolean', default: false }, 'relay-core-time': { type: 'boolean', default: false }, 'by-module': { type: 'boolean', default: false } } });

const workload = `name: bench
seed: ${Number(values.seed)}
peers: ${Number(values.peers)}
duration: ${values.duration}
topology:
  - kind: home-nat
    share: 40%
    port_forward: upnp
    nat: { mapping: endpoint-independent, filtering: address-and-port-dependent }
  - kind: home-nat
    share: 20%
    nat: { mapping: address-and-port-dependent, filtering: address-and-port-dependent }
  - kind: cgnat
    share: 10%
  - kind: public
    share: 20%
  - kind: ipv6-only
    share: 10%
    port_forward: upnp
lan_addressing: overlapping
protocol:
  heartbeat_interval: 30m
  ttl: 1h
  address_check_interval: 30m
traffic:
  lookups_per_peer_per_hour: 4
churn:
  joins_per_hour: 10%
  leaves_per_hour: 5%
  crashes_per_hour: 5%
`;

const scenario = parseScenario('bench (inline)', workload);
/** The small relay the issue compares against: per call at 100,000 identities within 2x of the cost at 1,000. */
const SMALL_IDENTITIES = 1_000;
const ALONE_ROUNDS = 2;
/** The fewest identities the relay's store is measured alone at (bench/sim-memory-floor.ts); a smaller store is scaled from it. */
const FLOOR_IDENTITIES = 50_000;
// --relay-core-time: the floor the issue's own constraint sets (the reference relay core runs unchanged).
const relayCoreTiming = values['relay-core-time'] ? await timeRelayCore() : null;
let peakRssBytes = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 250);
const started = performance.now();
const cpuAtStart = process.cpuUsage();
process.stdout.write(`bench:sim ${scenario.peers} peers, ${values.duration}, seed ${scenario.seed} (node ${process.version})\n`);
// --live-heap: a full collection at each tenth of virtual time, then the heap that is left is what the
// run really holds (RSS also counts garbage V8 has not yet bothered to collect). It costs wall time.
const gc = (globalThis as { gc?: () => void }).gc;
if (values['live-heap'] && !gc) throw new Error('--live-heap needs node --expose-gc (npm run bench:sim passes it)');
let peakLiveBytes = 0;
/** Every check's reading; the floor's parts are read at the one that held the most. */
const checks: HeldAt[] = [];
let nextLiveCheckMs = scenario.durationMs / 10;
const heldBytes = (): number => {
  gc?.(); // present whenever --live-heap is (checked above)
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
};
const measureLive = (current: World, elapsedMs: number): HeldAt => {
  const bytes = heldBytes();
  peakLiveBytes = Math.max(peakLiveBytes, bytes);
  const m = current.measurements;
  const joined = m.counters.peersJoined;
  const check = { bytes, elapsedMs, sampleBytes: m.sampleBytes(), identities: current.relayIdentities, liveBroadcasts: m.liveBroadcastsPerBucket.at(-1) ?? null, joined, live: current.livePeerCount };
  checks.push(check);
  return check;
};
/** Each check as it is taken, on stderr: a long run (a million peers take hours) shows its memory as it goes, and one stopped early still leaves its readings. */
const reportCheck = (check: HeldAt, atEnd = false): void => {
  const at = `${virtualTime(check.elapsedMs)}${atEnd ? ' (end of run)' : ''}`;
  // RSS too, read just after the check's full collection: what the process keeps resident beside what it holds.
  const rssBytes = process.memoryUsage().rss;
  peakRssBytes = Math.max(peakRssBytes, rssBytes);
  const line = `held          ${mib(check.bytes)} MiB after a full GC at ${at}, ${((performance.now() - started) / 1000).toFixed(0)} s in: ${check.live.toLocaleString('en-US')} live peers, ${(check.joined - check.live).toLocaleString('en-US')} departed, samples ${mib(check.sampleBytes)} MiB, ${check.identities.toLocaleString('en-US')} identities; RSS ${mib(rssBytes)} MiB, at most ${mib(peakRssBytes)} so far`;
  process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[2K' : ''}${line}\n`);
};
/** What the process held before the World was made (code, the relay-core timing's leftovers): not the run's. */
const beforeWorldBytes = values['live-heap'] ? heldBytes() : 0;
// The World itself rather than runScenario(), so the end-of-run measurement still sees all of it.
let world: World | null = new World(scenario);
// --by-module: V8's sampling profile over the run alone (not the set-up above, not the floors below).
const stopProfile = values['by-module'] ? await startModuleProfile() : null;
await world.run((elapsedMs) => {
  peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss);
  if (values['live-heap'] && elapsedMs >= nextLiveCheckMs) {
    nextLiveCheckMs += scenario.durationMs / 10;
    if (world !== null) reportCheck(measureLive(world, elapsedMs)); // read here, not kept in a const: the World must be let go after the run
  }
  if (process.stderr.isTTY) process.stderr.write(`\r${Math.round((100 * elapsedMs) / scenario.durationMs)}% virtual time`);
});
const wallMs = performance.now() - started;
const moduleProfile = stopProfile ? await stopProfile() : null;
// Read (and stopped) here: the floors below call RelayCore too (the memory floor rebuilds the store alone) and are not the run's.
const relayTiming = relayCoreTiming ? relayCoreTiming() : null;
const runCpuMs = cpuMsSince(cpuAtStart);
if (values['live-heap']) reportCheck(measureLive(world, world.sim.clock.elapsedMs()), true); // a short run may never reach a progress tick
const results = buildResults(scenario, world.measurements, world.sim.eventsProcessed);
clearInterval(sampler);
peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
const events = results.events_processed;
const eventsPerSecond = events / (wallMs / 1000);
const peakMiB = peakRssBytes / 2 ** 20;
const isIssueWorkload = scenario.peers === 100_000 && scenario.durationMs === 24 * 3_600_000;
const isMillionDay = scenario.peers >= 1_000_000 && scenario.durationMs >= 24 * 3_600_000;
process.stdout.write(`events        ${events}\n`);
process.stdout.write(`wall time     ${(wallMs / 1000).toFixed(2)} s${isIssueWorkload ? `   (target < 60 s: ${ratio(60_000, wallMs)})` : ''}${isMillionDay ? '   (target: a million peers for 24 virtual hours completes: met)' : ''}\n`);
process.stdout.write(`events/s      ${Math.round(eventsPerSecond)}   (target >= 1,000,000: ${ratioToLimit(eventsPerSecond / 1_000_000)}x of it)\n`);
process.stdout.write(`peak memory   ${peakMiB.toFixed(0)} MiB RSS for ${scenario.peers} peers${scenario.peers >= 1_000_000 ? `   (target <= 4096 MiB at 1,000,000 peers: ${ratio(4096, peakMiB, true)})` : ''}\n`);
if (peakLiveBytes > 0) {
  const liveMiB = peakLiveBytes / 2 ** 20;
  process.stdout.write(`live memory   ${liveMiB.toFixed(0)} MiB at most after a full GC (heap + off-heap arrays)${scenario.peers >= 1_000_000 ? `   (target <= 4096 MiB: ${ratio(4096, liveMiB, true)})` : ''}\n`);
}
process.stdout.write(`relay req     ${results.metrics.relay_requests}, lookups ${results.metrics.lookups}, connects ${results.metrics.connects}; the simulator's own visibility probes ${results.metrics.visibility_probes}\n`);
const identitiesAtEnd = world.relayIdentities;
// Let the world go before the relay core runs alone: its heap would otherwise be marked by every collection the alone rounds cause.
world = null;
if (checks.length > 0) await printMemoryFloor(checks);
const aloneMs = relayTiming ? await printFloor(relayTiming, wallMs, runCpuMs, events, identitiesAtEnd) : null;
if (moduleProfile) printModuleProfile(moduleProfile, wallMs, relayTiming ? aloneMs : undefined, isIssueWorkload);
if (!isIssueWorkload) process.stdout.write('(the wall-time target is for the default workload: 100,000 peers over 24 h; the memory target for --peers 1000000, as in npm run bench:sim:memory)\n');

/**
 * The floor the issue's own rule sets (the reference relay core runs
 * unchanged): the core's cost per call alone at 1,000 identities and at
 * the run's, in alternating rounds (another process may share the
 * cores), the run's wall time as a multiple of what its relay calls take
 * alone, and what a cache miss costs here (measured last, so its 256 MiB
 * buffer never counts toward peak memory).
 */
async function printFloor(timing: RelayCoreTiming, runMs: number, runCpuMs: number, eventCount: number, identitiesAtEnd: number): Promise<number | null> {
  const inRunUs = timing.calls === 0 ? null : (timing.coreMs * 1000) / timing.calls;
  process.stdout.write(`relay core    ${timing.calls} calls (peer requests and visibility probes) spent ${(timing.coreMs / 1000).toFixed(2)} s inside the unchanged RelayCore during the run, ${fixed(inRunUs)} us each (timing's own ${timing.overheadPerCallUs.toFixed(2)} us per call taken off): ${(timing.coreMs / runMs).toFixed(2)} of its wall time\n`);
  (globalThis as { gc?: () => void }).gc?.();
  const small = SMALL_IDENTITIES;
  const large = scenario.peers;
  const rounds: Array<{ smallUs: number | null; largeUs: number | null; largeCpuShare: number }> = [];
  for (let round = 0; round < ALONE_ROUNDS; round++) {
    const smallUs = await aloneOrNull(small);
    const wallAtStart = performance.now();
    const cpuAtLarge = process.cpuUsage();
    const largeUs = await aloneOrNull(large);
    rounds.push({ smallUs, largeUs, largeCpuShare: cpuMsSince(cpuAtLarge) / (performance.now() - wallAtStart) });
  }
  const smallUs = median(rounds.map((r) => r.smallUs));
  const largeUs = median(rounds.map((r) => r.largeUs));
  const perRound = (pick: (r: (typeof rounds)[number]) => number | null): string => rounds.map((r) => fixed(pick(r))).join(', ');
  process.stdout.write(`relay alone   the same core, nothing else running (random heartbeats and lookups, ${ALONE_ROUNDS} alternating rounds): ${fixed(smallUs)} us per call at ${small.toLocaleString('en-US')} identities (${perRound((r) => r.smallUs)}), ${fixed(largeUs)} us at ${large.toLocaleString('en-US')} (${perRound((r) => r.largeUs)})\n`);
  const growth = smallUs === null || largeUs === null ? null : largeUs / smallUs;
  const perRoundGrowth = rounds.map((r) => (r.smallUs === null || r.largeUs === null ? 'null' : (r.largeUs / r.smallUs).toFixed(2))).join(', ');
  process.stdout.write(`              at ${large.toLocaleString('en-US')} identities ${growth === null ? 'null (a round failed, see above)' : `${growth.toFixed(2)}x`} the cost at ${small.toLocaleString('en-US')} (rounds: ${perRoundGrowth})   (target within 2x: ${growth === null ? 'not judged' : ratio(2, growth, true)})\n`);
  // The floor under that growth: the store's own reads (two Map probes, their rows and times) at both sizes.
  const [floorSmallUs, floorLargeUs] = storeFloorUs([small, large]) as [number, number];
  const leastUs = smallUs === null ? null : smallUs + Math.max(0, floorLargeUs - floorSmallUs);
  process.stdout.write(`store floor   the reads any store keyed by fingerprint and email makes (two Map probes with their rows and times, bench/relay-core-floor.ts): ${floorSmallUs.toFixed(2)} us at ${small.toLocaleString('en-US')}, ${floorLargeUs.toFixed(2)} us at ${large.toLocaleString('en-US')}; so the core costs at least ${fixed(leastUs)} us at ${large.toLocaleString('en-US')}, ${leastUs === null || smallUs === null ? 'null' : `${(leastUs / smallUs).toFixed(2)}x`}\n`);
  if (identitiesAtEnd > large) process.stdout.write(`              (the run's relay held ${identitiesAtEnd.toLocaleString('en-US')} identities by its end: churn registers new peers; the alone rounds use the run's ${large.toLocaleString('en-US')})\n`);
  const aloneMs = largeUs === null ? null : (largeUs * timing.calls) / 1000;
  const multiple = aloneMs === null || aloneMs === 0 ? null : runMs / aloneMs;
  const wallTarget = isIssueWorkload ? `   (target <= 3x: ${multiple === null ? 'not judged' : ratio(3, multiple, true)})` : '   (the <= 3x target is for the default workload)';
  process.stdout.write(`wall / alone  the run's ${(runMs / 1000).toFixed(2)} s wall time is ${multiple === null ? 'null (no alone figure or no relay calls)' : `${multiple.toFixed(2)}x`} the ${aloneMs === null ? 'null' : (aloneMs / 1000).toFixed(2)} s its ${timing.calls} relay calls take alone${wallTarget}\n`);
  // Another process may share the cores: the same ratio with each side's wall time scaled by the CPU share it got.
  const aloneCpuShare = median(rounds.map((r) => r.largeCpuShare));
  const aloneCpuMs = aloneMs === null || aloneCpuShare === null ? null : aloneMs * aloneCpuShare;
  const cpuMultiple = aloneCpuMs === null || aloneCpuMs === 0 ? null : runCpuMs / aloneCpuMs;
  process.stdout.write(`              by CPU time: the run used ${(runCpuMs / 1000).toFixed(2)} s of CPU (${(runCpuMs / runMs).toFixed(2)} of its wall time), its calls alone ${aloneCpuMs === null ? 'null' : (aloneCpuMs / 1000).toFixed(2)} s (the alone rounds got ${fixed(aloneCpuShare)} of a core): ${cpuMultiple === null ? 'null' : `${cpuMultiple.toFixed(2)}x`} (what the ratio is on an unshared machine, roughly; V8's helper threads count on both sides)\n`);
  if (timing.coreMs > 0) process.stdout.write(`              and ${(runMs / timing.coreMs).toFixed(2)}x the time they took inside the run (the simulator's own work, the reference peer code and the relay's cache misses caused by both)\n`);
  const missNs = dependentLoadNs();
  const perEventNs = 1e9 / 1_000_000;
  process.stdout.write(`cache miss    ${missNs.toFixed(0)} ns per dependent load over 256 MiB here: 1,000,000 events/s leaves ${(perEventNs / missNs).toFixed(1)} cold reads per event; this run averaged ${((runMs * 1e6) / eventCount / missNs).toFixed(1)} cold-read times per event\n`);
  return aloneMs;
}

/** What the world held at one --live-heap check. */
interface HeldAt {
  bytes: number;
  elapsedMs: number;
  sampleBytes: number;
  identities: number;
  /** At the last timeline sample before the check; null before the first. */
  liveBroadcasts: number | null;
  joined: number;
  live: number;
}

/**
 * What the held memory is made of, with --live-heap, all read at the one
 * check that found the most: the samples exact percentiles keep, and the
 * relay's store (the unchanged reference core's memory store, rebuilt alone
 * with the same number of identities and live broadcasts; below
 * FLOOR_IDENTITIES it is measured there and scaled, as a small store is
 * lost in the collector's noise); the rest is the simulator's world and
 * network and the reference peer core of each live peer.
 */
async function printMemoryFloor(all: readonly HeldAt[]): Promise<void> {
  const held = all.reduce((most, check) => (check.bytes > most.bytes ? check : most));
  const floor = await relayFloor(held.identities, held.liveBroadcasts ?? 0, FLOOR_IDENTITIES);
  const relayBytes = floor.storeBytes;
  const restBytes = held.bytes - beforeWorldBytes - held.sampleBytes - relayBytes;
  const perJoined = held.joined === 0 ? null : restBytes / held.joined;
  const when = virtualTime(held.elapsedMs);
  const broadcasts = held.liveBroadcasts === null ? 'no timeline sample yet, so none counted' : `${held.liveBroadcasts.toLocaleString('en-US')} live broadcasts at the timeline sample before it`;
  const measured = floor.scaled ? `measured alone at ${floor.identities.toLocaleString('en-US')} identities and scaled` : 'measured alone at those counts';
  process.stdout.write(`memory floor  of the ${mib(held.bytes)} MiB held at most (at ${when}): exact samples ${mib(held.sampleBytes)} MiB; the relay's store ${mib(relayBytes)} MiB (${held.identities.toLocaleString('en-US')} identities, ${broadcasts}; ${measured}: ${floor.bytesPerIdentity.toFixed(0)} bytes per identity, ${floor.bytesPerLiveBroadcast.toFixed(0)} more per live broadcast); ${mib(beforeWorldBytes)} MiB held before the World was made; the rest, ${mib(restBytes)} MiB, is the world, the network and each live peer's reference peer core: ${perJoined === null ? 'null (no peer joined)' : perJoined.toFixed(0)} bytes per peer that joined by then (${held.joined.toLocaleString('en-US')})\n`);
  // The rest at every check, with the store's bytes per identity and per broadcast from the one measured above.
  const storeAt = (c: HeldAt): number => c.identities * floor.bytesPerIdentity + (c.liveBroadcasts ?? 0) * floor.bytesPerLiveBroadcast;
  // (Earlier checks' stores are taken at the peak's bytes per identity: a store's per-identity bytes move a few % with its size.)
  const split = splitHeld(all.map((c) => ({ restBytes: c.bytes - beforeWorldBytes - c.sampleBytes - storeAt(c), live: c.live, departed: c.joined - c.live })));
  const withoutDeparted = split.perLiveBytes === null ? null : held.sampleBytes + relayBytes + beforeWorldBytes + split.perLiveBytes * held.live;
  const coreBytes = await peerCoreBytes(FLOOR_IDENTITIES);
  if (split.perLiveBytes === null) process.stdout.write(`memory split  per live and per departed peer: null (${split.note})\n`);
  else {
    process.stdout.write(`memory split  the rest at each of ${split.checks} checks, less the ${mib(beforeWorldBytes)} MiB held before the World, fitted (least squares, worst residual ${(split.worstResidualBytes / 2 ** 20).toFixed(1)} MiB): ${split.perLiveBytes.toFixed(0)} bytes per live peer (the World's fixed costs spread over them: it falls with size) and ${split.perDepartedBytes.toFixed(0)} per departed peer (kept for lookups of the departed); at the most held, ${held.live.toLocaleString('en-US')} live and ${(held.joined - held.live).toLocaleString('en-US')} departed\n`);
  }
  process.stdout.write(`              of a live peer's bytes, the reference PeerLifecycle itself holds ${coreBytes.toFixed(0)} with the two timers it keeps set (live, measured alone over ${FLOOR_IDENTITIES.toLocaleString('en-US')}: bench/peer-core-floor.ts); the rest of it is the simulator's (peer record, adapters, timers, addresses, host and NAT)\n`);
  const target = scenario.peers >= 1_000_000;
  const against = (bytes: number): string => (target ? `: ${bytes <= 4096 * 2 ** 20 ? 'under' : 'over'} the 4096 MiB target` : '');
  const referenceFloor = held.sampleBytes + relayBytes + coreBytes * held.live; // the code held before the World left out
  process.stdout.write(`              the floor the unchanged reference code and exact samples set: samples, store and ${held.live.toLocaleString('en-US')} live PeerLifecycles hold ${mib(referenceFloor)} MiB${against(referenceFloor)}\n`);
  if (withoutDeparted !== null) process.stdout.write(`              keeping no departed peer at all would hold ${mib(withoutDeparted)} MiB (samples, store, what was held before the World, and the live peers at the fitted cost)${against(withoutDeparted)}\n`);
  if (!target || perJoined === null) return;
  const roomPerJoined = (4096 * 2 ** 20 - beforeWorldBytes - held.sampleBytes - relayBytes) / held.joined;
  const verdict = roomPerJoined <= 0 ? 'no room is left: the samples and the store alone exceed it' : `the rest would have to fall to ${roomPerJoined.toFixed(0)} bytes per peer that joined${perJoined > roomPerJoined ? ` (${(perJoined / roomPerJoined).toFixed(2)}x that now)` : ' (it does)'}`;
  process.stdout.write(`              for <= 4096 MiB with the samples, the relay's store and what was held before the World as they are, ${verdict}\n`);
}

/** How far into the run's virtual span `elapsedMs` is, as the memory lines print it. */
function virtualTime(elapsedMs: number): string {
  return `${((100 * elapsedMs) / scenario.durationMs).toFixed(0)}% virtual time`;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

/** One alone round, or null (printed as such) when the core under test fails. */
async function aloneOrNull(identities: number): Promise<number | null> {
  try {
    return await relayCoreAloneUs(identities);
  } catch (error) {
    process.stdout.write(`relay alone   null at ${identities} identities: ${error instanceof Error ? error.message : String(error)}\n`);
    return null;
  }
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function median(values: Array<number | null>): number | null {
  const present = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (present.length === 0) return null;
  const mid = present.length >> 1;
  return present.length % 2 === 1 ? (present[mid] as number) : ((present[mid - 1] as number) + (present[mid] as number)) / 2;
}

function fixed(value: number | null): string {
  return value === null ? 'null' : value.toFixed(2);
}

/** "met, 0.62 of the limit" or "missed, 1.30 of the limit"; `inclusive` for targets written with <=. */
function ratio(limit: number, measured: number, inclusive = false): string {
  const met = inclusive ? measured <= limit : measured < limit;
  return `${met ? 'met' : 'missed'}, ${ratioToLimit(measured / limit)} of the limit`;
}
