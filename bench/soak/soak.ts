/**
 * `npm run soak [-- --seconds N] [-- --seed S]`: the reference relay as a real
 * child process (`node bin/relaylab.mjs relay --store postgres://...`) on a
 * fresh PostgreSQL database reached through a fault proxy, under, all at once:
 * a seeded fuzzer, a slow-client mix, database cut and blackhole cycles, and
 * an honest population whose answers are recorded and checked. Then SIGTERM,
 * a read-back of every acknowledged write from PostgreSQL, and a table.
 * Exits 1 when a must-be-0 figure is not 0. Loopback only; bounded in time
 * (default 260 s of attack, watchdog at attack + 40 s) and in sockets.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../reference/relay/stores/test-database.ts';
import { FaultProxy } from './fault-proxy.ts';
import { runFuzzer, makeFuzzKit, FUZZ_ADDRESS, type FuzzStats } from './fuzzer.ts';
import { makeHonestClients, runHonestClient, send, type HonestChecks, type HonestClient } from './honest.ts';
import { isReset, now, percentile, Recorder, type Outcome } from './record.ts';
import { runSlowClients, SLOW_ADDRESSES, SLOW_KINDS, type SlowSession } from './slow-clients.ts';

// ---------- arguments ----------
function argOf(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at >= 0) return process.argv[at + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq?.slice(name.length + 3);
}
function numberArg(name: string, fallback: number, min: number, max: number): number {
  const raw = argOf(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`--${name} must be a number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}
const DEFAULT_SECONDS = 260;
const seconds = numberArg('seconds', DEFAULT_SECONDS, 10, DEFAULT_SECONDS);
const seed = numberArg('seed', randomInt(0, 2 ** 31), 0, 2 ** 32 - 1) >>> 0;
const honestCount = numberArg('clients', 20, 1, 100);
const slowCount = numberArg('slow', 200, 0, 360);
const fuzzWorkers = numberArg('fuzz-workers', 4, 0, 16);
const ttlSeconds = 15;
const keepDb = process.argv.includes('--keep-db');
const PG_TARGET = { host: '127.0.0.1', port: 5432 };
const WATCHDOG_MS = seconds * 1000 + 40_000;

const rerun = `npm run soak -- --seconds ${seconds} --seed ${seed}`;
const work = mkdtempSync(join(tmpdir(), `relaylab-soak-${seed}-`));
const runTag = `${seed.toString(36)}-${randomBytes(3).toString('hex')}`;
console.log(`soak: seed ${seed} · attack ${seconds}s · ${honestCount} honest clients · ${slowCount} slow sockets · ${fuzzWorkers} fuzz workers · relay ttl ${ttlSeconds}s`);
console.log(`soak: rerun the same inputs with: ${rerun}   (the seed fixes the fuzz inputs and client pacing, not the timing)`);
console.log(`soak: working files (relay log, answers) in ${work}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ---------- the watchdog: the run is bounded whatever hangs ----------
let child: ReturnType<typeof spawn> | null = null;
const watchdog = setTimeout(() => {
  console.error(`soak: watchdog: the run exceeded ${WATCHDOG_MS / 1000}s; killing the relay and failing`);
  child?.kill('SIGKILL');
  process.exit(1);
}, WATCHDOG_MS);

async function main(): Promise<number> {
  const db = await createTestDatabase();
  const proxy = await FaultProxy.start(PG_TARGET.host, PG_TARGET.port);
  const storeUrl = new URL(db.url);
  storeUrl.hostname = '127.0.0.1';
  storeUrl.port = String(proxy.port);

  // ---------- the relay, a real child process ----------
  const relayArgs = [
    resolve('bin/relaylab.mjs'), 'relay',
    '--host', '127.0.0.1', '--port', '0',
    '--store', storeUrl.toString(),
    '--ttl', String(ttlSeconds), '--cleanup-interval', '5',
    '--register-rate', 'off',
    '--data-dir', join(work, 'relay'),
    '--log-level', 'warn',
    '--shutdown-grace', '5',
  ];
  const logPath = join(work, 'relay.log');
  const log = createWriteStream(logPath);
  child = spawn(process.execPath, relayArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  const relay = child;
  let stdout = '';
  relay.stdout!.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (stdout.length < 10_000) stdout += chunk.toString();
  });
  relay.stderr!.on('data', (chunk: Buffer) => log.write(chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((res) => relay.on('exit', (code, signal) => res({ code, signal, atMs: now() })));
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null; atMs: number } | null = null;
  void exited.then((e) => (exitInfo = e));
  const startedAt = now();
  while (!/relay listening on (\S+)/.test(stdout)) {
    if (exitInfo || now() - startedAt > 30_000) throw new Error(`the relay did not start (see ${logPath}): ${stdout.slice(0, 500)}`);
    await sleep(50);
  }
  const url = /relay listening on (\S+)/.exec(stdout)![1] as string;
  const certPath = /--relay-ca\): (\S+)/.exec(stdout)![1] as string;
  const caPem = readFileSync(certPath, 'utf8');
  console.log(`soak: relay pid ${relay.pid} at ${url}, store postgres via fault proxy 127.0.0.1:${proxy.port} → ${PG_TARGET.host}:${PG_TARGET.port}, database ${db.name}`);
  console.log(`soak: relay flags: --register-rate off (the default 10/s per address would throttle 20 honest clients on one address; this soak measures outages, not the limiter) --ttl ${ttlSeconds} --cleanup-interval 5 --shutdown-grace 5`);

  // ---------- the four loads, at once ----------
  const recorder = new Recorder();
  const clients = makeHonestClients(honestCount, runTag, caPem);
  const kit = makeFuzzKit();
  const stop = { stopped: false };
  const stopSlow = { stopped: false, terminating: false };
  const checks: HonestChecks = { wrongAnswers: 0, wrongAnswerSamples: [], lookups200: 0, listItemsChecked: 0 };
  const fuzzStats: FuzzStats = { sent: 0, clientSideRefused: 0, raw: 0 };
  const slowSessions: SlowSession[] = [];
  const slowOpen = { count: 0, max: 0 };
  const attackStart = now();
  const attackEnd = attackStart + seconds * 1000;

  const faults = (async () => {
    // 4 s healthy, cut 3 s, 4 s healthy, blackhole 7 s (longer than the store's 5 s connect timeout), repeat.
    const plan: Array<['cut' | 'blackhole', number]> = [['cut', 3_000], ['blackhole', 7_000]];
    let i = 0;
    while (!stop.stopped) {
      await sleep(4_000);
      const [kind, ms] = plan[i % plan.length]!;
      i += 1;
      if (stop.stopped || now() + ms + 2_000 > attackEnd) break;
      const window = { kind, startMs: now(), endMs: Number.POSITIVE_INFINITY };
      recorder.faults.push(window);
      if (kind === 'cut') await proxy.cut();
      else proxy.blackhole();
      await sleep(ms);
      await proxy.heal();
      window.endMs = now();
    }
  })();
  const honest = Promise.all(clients.map((c) => runHonestClient(c, clients, url, recorder, seed, ttlSeconds, stop, checks)));
  const fuzz = runFuzzer(seed, fuzzWorkers, url, caPem, kit, recorder, stop, fuzzStats);
  const slow = runSlowClients(slowCount, url, caPem, stopSlow, slowSessions, slowOpen);

  const progress = setInterval(() => {
    const s = Math.round((now() - attackStart) / 1000);
    const honestOk = recorder.outcomes.filter((o) => o.source === 'honest' && o.status === 200).length;
    console.log(`soak: t=${s}s honest 200s=${honestOk} all answers=${recorder.outcomes.length} slow sockets open=${slowOpen.count} proxy=${proxy.state}`);
  }, 15_000);
  await sleep(seconds * 1000);
  stop.stopped = true;
  clearInterval(progress);
  await faults;
  if (proxy.state !== 'up') await proxy.heal();
  await Promise.all([honest, fuzz]);
  const attackOver = now();
  console.log(`soak: attack over after ${((attackOver - attackStart) / 1000).toFixed(1)}s; reading back through the API`);

  // ---------- read back through the API (relay still up, slow sockets still attached) ----------
  const apiReadback = { checked: 0, ok: 0, problems: [] as string[] };
  for (const c of clients) {
    if (!c.registered) continue;
    apiReadback.checked += 1;
    const allowed = allowedPorts(c);
    let reply = await send(new Recorder(), 'honest', 'readback', url, c.agent, 'GET', `/api/relay/broadcast/lookup?email=${encodeURIComponent(c.identity.email)}`);
    for (let retry = 0; retry < 5 && (reply.status === null || reply.status === 503); retry += 1) {
      await sleep(1000);
      reply = await send(new Recorder(), 'honest', 'readback', url, c.agent, 'GET', `/api/relay/broadcast/lookup?email=${encodeURIComponent(c.identity.email)}`);
    }
    const lastOk = lastOkReady(c);
    if (reply.status === 200 && allowed.has(reply.json?.port)) apiReadback.ok += 1;
    else if (reply.status === 404 && (!lastOk || c.promisedUntilMs < now())) apiReadback.ok += 1; // expired as the TTL says: not a loss
    else apiReadback.problems.push(`${c.identity.email}: lookup → ${reply.status} ${JSON.stringify(reply.json).slice(0, 160)}; allowed ports ${[...allowed].join(',')}`);
  }

  // ---------- SIGTERM ----------
  const termAt = now();
  stopSlow.terminating = true;
  const slowOpenAtTerm = slowOpen.count;
  relay.kill('SIGTERM');
  const exit = await Promise.race([exited, sleep(25_000).then(() => null)]);
  const shutdownMs = exit ? exit.atMs - termAt : null;
  if (!exit) relay.kill('SIGKILL');
  stopSlow.stopped = true;
  await slow;
  const exitCode: number | null = exit ? (exit.code ?? -1) : null;

  // ---------- read back from PostgreSQL, directly (not through the proxy) ----------
  const pgCheck = await readBackFromPostgres(db.url, clients);
  await proxy.close();
  log.end();
  if (!keepDb) await db.drop().catch((e: Error) => console.error(`soak: could not drop ${db.name}: ${e.message}`));
  for (const c of clients) await c.agent.close().catch(() => undefined);

  // ---------- the table ----------
  writeFileSync(join(work, 'answers.jsonl'), recorder.outcomes.map((o) => JSON.stringify(o)).join('\n') + '\n');
  writeFileSync(join(work, 'faults.json'), JSON.stringify(recorder.faults.map((f) => ({ ...f, startS: (f.startMs - attackStart) / 1000, endS: (f.endMs - attackStart) / 1000 })), null, 2));
  return report({ recorder, clients, checks, fuzzStats, slowSessions, slowOpen, slowOpenAtTerm, proxy, apiReadback, pgCheck, exitCode, exitSignal: exit?.signal ?? null, shutdownMs, attackStart, attackOver, logPath, dbName: db.name });
}

function lastOkReady(c: HonestClient) {
  for (let i = c.readies.length - 1; i >= 0; i -= 1) if (c.readies[i]!.status === 200) return c.readies[i]!;
  return null;
}

/** What the relay may hold for a client: its last acknowledged ready, or any ready it sent after that whose answer was lost. */
function allowedPorts(c: HonestClient): Set<number> {
  const last = lastOkReady(c);
  const allowed = new Set<number>();
  if (last) allowed.add(last.port);
  for (const r of c.readies) if (r.status !== 200 && (!last || r.startMs > last.startMs)) allowed.add(r.port);
  return allowed;
}

interface PgCheck {
  identitiesExpected: number;
  identitiesLost: number;
  broadcastsExpected: number;
  broadcastsLost: number;
  broadcastsExpiredNotLoss: number;
  broadcastsReplacedByUnacknowledgedReady: number;
  problems: string[];
  error?: string;
}

async function readBackFromPostgres(dbUrl: string, clients: HonestClient[]): Promise<PgCheck> {
  const result: PgCheck = { identitiesExpected: 0, identitiesLost: 0, broadcastsExpected: 0, broadcastsLost: 0, broadcastsExpiredNotLoss: 0, broadcastsReplacedByUnacknowledgedReady: 0, problems: [] };
  const client = new pg.Client({ connectionString: dbUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const emails = clients.map((c) => c.identity.email);
    const ids = await client.query<{ id: string; email: string; fingerprint_sha256: string }>('SELECT id, email, fingerprint_sha256 FROM relay_identities WHERE email = ANY($1)', [emails]);
    const bcs = await client.query<{ email: string; broadcast_id: string; port: number }>('SELECT email, broadcast_id, port FROM relay_broadcasts WHERE email = ANY($1)', [emails]);
    const checkedAt = now();
    const idBy = new Map(ids.rows.map((r) => [r.email, r]));
    const bcBy = new Map(bcs.rows.map((r) => [r.email, r]));
    for (const c of clients) {
      if (!c.registered) continue;
      result.identitiesExpected += 1;
      const row = idBy.get(c.identity.email);
      if (!row || row.fingerprint_sha256 !== c.identity.fingerprintSha256 || (c.registered.how === '200' && row.id !== c.registered.id)) {
        result.identitiesLost += 1;
        result.problems.push(`identity ${c.identity.email}: expected id ${c.registered.id} fp ${c.identity.fingerprintSha256.slice(0, 12)}, found ${JSON.stringify(row ?? null)}`);
      }
      const last = lastOkReady(c);
      if (!last) continue;
      result.broadcastsExpected += 1;
      const b = bcBy.get(c.identity.email);
      const allowed = allowedPorts(c);
      if (!b) {
        if (c.promisedUntilMs < checkedAt) result.broadcastsExpiredNotLoss += 1;
        else {
          result.broadcastsLost += 1;
          result.problems.push(`broadcast ${c.identity.email}: missing, though promised live for ${((c.promisedUntilMs - checkedAt) / 1000).toFixed(1)}s more`);
        }
      } else if (b.port === last.port && b.broadcast_id === last.broadcastId) {
        // exactly the last acknowledged ready
      } else if (b.port !== last.port && allowed.has(b.port)) {
        result.broadcastsReplacedByUnacknowledgedReady += 1;
      } else {
        result.broadcastsLost += 1;
        result.problems.push(`broadcast ${c.identity.email}: holds port ${b.port} id ${b.broadcast_id}, last acknowledged ready was port ${last.port} id ${last.broadcastId}`);
      }
    }
  } catch (error) {
    result.error = (error as Error).message;
  } finally {
    await client.end().catch(() => undefined);
  }
  return result;
}

interface ReportInput {
  recorder: Recorder;
  clients: HonestClient[];
  checks: HonestChecks;
  fuzzStats: FuzzStats;
  slowSessions: SlowSession[];
  slowOpen: { count: number; max: number };
  slowOpenAtTerm: number;
  proxy: FaultProxy;
  apiReadback: { checked: number; ok: number; problems: string[] };
  pgCheck: PgCheck;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  shutdownMs: number | null;
  attackStart: number;
  attackOver: number;
  logPath: string;
  dbName: string;
}

function pad(text: string | number, width: number): string {
  return String(text).padStart(width);
}

function report(r: ReportInput): number {
  const { recorder } = r;
  const all = recorder.outcomes;
  const honest = all.filter((o) => o.source === 'honest');
  const fuzz = all.filter((o) => o.source === 'fuzz');
  const statusKey = (o: Outcome): string => (o.status === null ? 'no answer' : String(o.status));
  const keys = [...new Set(all.map(statusKey))].sort();
  const count = (list: Outcome[], key: string): number => list.filter((o) => statusKey(o) === key).length;

  console.log('\n=== soak report ===');
  console.log(`seed ${seed} · attack ${((r.attackOver - r.attackStart) / 1000).toFixed(1)}s · rerun: ${rerun}`);
  const faultLine = recorder.faults.map((f) => `${f.kind} ${((f.startMs - r.attackStart) / 1000).toFixed(1)}–${((f.endMs - r.attackStart) / 1000).toFixed(1)}s`).join(', ');
  console.log(`database faults (${recorder.faults.length}): ${faultLine || 'none'} · proxy connections accepted ${r.proxy.accepted}, cut by the soak ${r.proxy.destroyedByCut}`);

  console.log('\nrequests by status      honest       fuzz');
  for (const key of keys) console.log(`  ${key.padEnd(16)} ${pad(count(honest, key), 10)} ${pad(count(fuzz, key), 10)}`);
  console.log(`  ${'total'.padEnd(16)} ${pad(honest.length, 10)} ${pad(fuzz.length, 10)}`);

  const ops = [...new Set(honest.map((o) => o.op))];
  console.log('\nhonest answers by operation');
  for (const op of ops) {
    const list = honest.filter((o) => o.op === op);
    const byStatus = [...new Set(list.map(statusKey))].sort().map((k) => `${k}:${count(list, k)}`).join(' ');
    console.log(`  ${op.padEnd(10)} ${byStatus}`);
  }

  const fiveXX = all.filter((o) => o.status !== null && o.status >= 500);
  // A HEAD answer has no body to carry the code: a 503 to HEAD in flight during a fault is counted with the cut ones, and shown apart.
  const headNoBody = (o: Outcome): boolean => o.method === 'HEAD' && o.code === undefined;
  const during = fiveXX.filter((o) => o.status === 503 && (o.code === 'store_unavailable' || headNoBody(o)) && recorder.overlapsFault(o));
  const other = fiveXX.filter((o) => !during.includes(o));
  const otherSamples = other.slice(0, 5).map((o) => `${o.source} ${o.op} ${o.method} ${o.status} ${o.code ?? ''} at ${((o.startMs - r.attackStart) / 1000).toFixed(1)}s`);
  const duringBy = (kind: 'cut' | 'blackhole'): number => during.filter((o) => recorder.overlapsFault(o)?.kind === kind).length;

  const honestErrors = honest.filter((o) => o.status === null);
  const resets = honestErrors.filter((o) => isReset(o.error));
  const otherTransport = honestErrors.filter((o) => !isReset(o.error));
  const lat = honest.map((o) => o.endMs - o.startMs).sort((a, b) => a - b);
  const latCalm = honest.filter((o) => !recorder.overlapsFault(o)).map((o) => o.endMs - o.startMs).sort((a, b) => a - b);
  const unexpected4xx = honest.filter((o) => o.status !== null && o.status >= 400 && o.status < 500);
  const neverRegistered = r.clients.filter((c) => !c.registered).length;

  const recordsLost = r.pgCheck.error ? null : r.pgCheck.identitiesLost + r.pgCheck.broadcastsLost;
  const apiProblems = r.apiReadback.problems.length;

  const slowBy = SLOW_KINDS.map((kind) => {
    const list = r.slowSessions.filter((s) => s.kind === kind);
    const byRelay = list.filter((s) => s.closedBy === 'relay' || s.closedBy === 'error');
    const atShutdown = list.filter((s) => s.closedBy === 'relay-shutdown').length;
    const leftOpen = list.filter((s) => s.closedBy === 'soak-end').length;
    const lives = byRelay.map((s) => s.lifeMs).sort((a, b) => a - b);
    const statuses = [...new Set(byRelay.map((s) => (s.status === null ? 'none' : String(s.status))))].map((k) => `${k}:${byRelay.filter((s) => (s.status === null ? 'none' : String(s.status)) === k).length}`).join(' ');
    return `  ${kind.padEnd(13)} sockets ${pad(list.length, 5)} · closed by the relay during the run ${pad(byRelay.length, 4)} (median life ${lives.length ? (percentile(lives, 50) / 1000).toFixed(1) : '-'}s, answers ${statuses || '-'}) · closed by its SIGTERM drain ${atShutdown} · left to the soak ${leftOpen}`;
  });

  console.log(`\nslow-client mix (${slowCount} slots from ${SLOW_ADDRESSES.join(', ')}; peak open ${r.slowOpen.max})`);
  for (const line of slowBy) console.log(line);
  console.log(`fuzzer (seed ${seed}, from ${FUZZ_ADDRESS}): ${r.fuzzStats.sent} inputs, ${r.fuzzStats.raw} raw-wire, ${fuzz.filter((o) => o.status === null).length} without an answer (relay closed or undici refused to send)`);

  const fmt = (ms: number): string => (Number.isNaN(ms) ? 'not measured (no honest requests)' : `${ms.toFixed(1)} ms`);
  const rows: Array<[string, string, boolean | null]> = [
    ['5xx other than 503 during a cut (must be 0)', String(other.length), other.length === 0],
    ['503 store_unavailable during cuts', `${during.length} (cut ${duringBy('cut')}, blackhole ${duringBy('blackhole')}; honest ${during.filter((o) => o.source === 'honest').length}; of them HEAD without a body to name the code: ${during.filter(headNoBody).length})`, null],
    ['wrong honest answers: lookup/list port never sent (must be 0)', `${r.checks.wrongAnswers} of ${r.checks.lookups200} lookups + ${r.checks.listItemsChecked} list items`, r.checks.wrongAnswers === 0],
    ['connection resets (honest clients)', `${resets.length} of ${honest.length} requests`, null],
    ['other transport errors (honest: timeouts etc.)', String(otherTransport.length), null],
    ['honest 4xx answers', `${unexpected4xx.length} (${[...new Set(unexpected4xx.map((o) => `${o.op} ${o.status} ${o.code ?? ''}`))].slice(0, 4).join('; ') || '-'})`, null],
    ['honest clients never registered', `${neverRegistered} of ${r.clients.length}`, null],
    ['honest p50 / p99 during the attack', `${fmt(percentile(lat, 50))} / ${fmt(percentile(lat, 99))} (n=${lat.length})`, null],
    ['honest p99.9 / max during the attack', `${fmt(percentile(lat, 99.9))} / ${fmt(lat[lat.length - 1] ?? Number.NaN)}`, null],
    ['honest p99 outside fault windows', `${fmt(percentile(latCalm, 99))} (n=${latCalm.length})`, null],
    [
      'records lost (must be 0), read from PostgreSQL',
      recordsLost === null
        ? `not measured: PostgreSQL read-back failed: ${r.pgCheck.error}`
        : `${recordsLost} (identities ${r.pgCheck.identitiesLost}/${r.pgCheck.identitiesExpected}, last-ready broadcasts ${r.pgCheck.broadcastsLost}/${r.pgCheck.broadcastsExpected}; expired by TTL ${r.pgCheck.broadcastsExpiredNotLoss}, replaced by a later unacknowledged ready ${r.pgCheck.broadcastsReplacedByUnacknowledgedReady})`,
      recordsLost === 0,
    ],
    ['read-back through the API (lookup own email) mismatches (must be 0)', `${apiProblems} of ${r.apiReadback.checked}`, apiProblems === 0],
    [
      'exit code after SIGTERM (must be 0)',
      r.exitCode === null ? 'not measured: no exit within 25 s (killed)' : `${r.exitCode}${r.exitSignal ? ` (signal ${r.exitSignal})` : ''} after ${((r.shutdownMs ?? 0) / 1000).toFixed(1)}s, with ${r.slowOpenAtTerm} slow sockets attached at SIGTERM`,
      r.exitCode === 0,
    ],
  ];
  console.log('\nfigure                                                       value');
  for (const [name, value, pass] of rows) console.log(`  ${name.padEnd(66)} ${value}${pass === null ? '' : pass ? '  ok' : '  FAIL'}`);
  if (otherSamples.length) console.log(`  5xx samples: ${otherSamples.join(' | ')}`);
  if (r.checks.wrongAnswerSamples.length) console.log(`  wrong-answer samples: ${r.checks.wrongAnswerSamples.join(' | ')}`);
  for (const p of [...r.pgCheck.problems, ...r.apiReadback.problems].slice(0, 10)) console.log(`  lost/mismatch: ${p}`);
  if (resets.length) console.log(`  reset samples: ${resets.slice(0, 3).map((o) => `${o.op} ${o.error}`).join(' | ')}`);
  if (otherTransport.length) console.log(`  transport-error samples: ${otherTransport.slice(0, 3).map((o) => `${o.op} ${o.error}`).join(' | ')}`);

  let relayLog = '';
  try {
    relayLog = readFileSync(r.logPath, 'utf8');
  } catch {
    relayLog = '';
  }
  const msgs = new Map<string, number>();
  for (const line of relayLog.split('\n')) {
    const m = /"msg":"([^"]{0,80})/.exec(line);
    if (m) msgs.set(m[1]!, (msgs.get(m[1]!) ?? 0) + 1);
  }
  console.log(`relay log ${r.logPath}: ${[...msgs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${v}× "${k}"`).join('; ') || 'no warn/error lines'}`);
  console.log(`database ${r.dbName} ${keepDb ? 'kept (--keep-db)' : 'dropped'} · answers in ${join(work, 'answers.jsonl')}`);

  const failed = rows.filter(([, , pass]) => pass === false).map(([name]) => name);
  const measuredNothing = honest.filter((o) => o.status === 200).length === 0;
  if (measuredNothing) failed.push('no honest request succeeded: the soak measured nothing');
  console.log(failed.length ? `\nsoak: FAILED: ${failed.join('; ')}` : '\nsoak: passed (every must-be-0 figure is 0)');
  console.log(`soak: seed ${seed}; rerun: ${rerun}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => {
    clearTimeout(watchdog);
    process.exitCode = code;
    // Agents and timers may linger a moment; the figures are printed, so leave.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (error: unknown) => {
    clearTimeout(watchdog);
    console.error(`soak: broke: ${(error as Error).stack ?? error}`);
    child?.kill('SIGKILL');
    process.exit(1);
  },
);
