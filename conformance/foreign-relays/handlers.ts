/**
 * One API handler per endpoint, Next.js-style: take the parsed request,
 * return a status and a JSON body, throw HttpError to refuse. Every check
 * runs before the single write, so a refusal changes nothing (SPEC ERR-7).
 * Answers carry extra members ("ok", "server") and list their members in our
 * own order; SPEC and RFC 8259 allow both.
 */
import { certificateCarriesEmail, checkKeyType, checkSelfSignature, checkValidNow, parseSingleCertificate } from './certificates.ts';
import { authenticate, registrationKey } from './caller.ts';
import type { CursorCodec } from './cursor.ts';
import { HttpError } from './errors.ts';
import type { RelaySettings } from './options.ts';
import type { BroadcastRow, MemoryTables } from './store.ts';
import { checkAddresses, checkCapabilities, checkLimit, checkPort, normalizeEmail } from './validation.ts';

export interface ApiRequest {
  query: URLSearchParams;
  /** The JSON object of a POST body; {} for GET. */
  body: Record<string, unknown>;
  /** DER of the client certificate, or null (anonymous). */
  certificate: Buffer | null;
}

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RelayState {
  settings: RelaySettings;
  tables: MemoryTables;
  cursors: CursorCodec;
}

export type Handler = (request: ApiRequest, state: RelayState) => ApiResult;

const SERVER_NAME = 'foreign';
const seconds = (ms: number): number => Math.floor(ms / 1000);

/** SPEC GEN-2. */
export const health: Handler = () => ({ status: 200, body: { server: SERVER_NAME, status: 'ok' } });

/** SPEC REG-1..REG-13. */
export const register: Handler = ({ body, certificate: presented }, { settings, tables }) => {
  const email = normalizeEmail(body.email);
  if (email === null) throw new HttpError('invalid_email', 'email must be an email address');
  if (typeof body.certificate !== 'string') throw new HttpError('invalid_certificate', 'certificate must be a PEM string');
  const { certificate, der } = parseSingleCertificate(body.certificate);
  checkSelfSignature(certificate);
  checkKeyType(certificate);
  const nowMs = settings.now();
  checkValidNow(certificate, nowMs);
  if (!certificateCarriesEmail(certificate, email)) throw new HttpError('email_mismatch', `the certificate does not carry ${email}`);
  // REG-13: a client that shows a certificate must be registering that one (bytes compared, our way).
  if (presented !== null && !presented.equals(der)) throw new HttpError('certificate_mismatch', 'you presented a different certificate than the one you are registering');
  const peer = tables.insertPeer(email, registrationKey(der, body.certificate, settings), nowMs);
  return { status: 200, body: { id: peer.id, email: peer.email, status: 'registered', server: SERVER_NAME } };
};

/** SPEC READY-1..READY-8. */
export const ready: Handler = ({ body, certificate }, { settings, tables }) => {
  const peer = authenticate(certificate, tables, settings);
  const port = checkPort(body.port, settings);
  const addresses = checkAddresses(body.addresses, settings);
  const capabilities = checkCapabilities(body.capabilities);
  // DEFECT keepFirstAddresses: a fixed-size column, silently truncated.
  const stored = settings.keepFirstAddresses === null ? addresses : addresses.slice(0, settings.keepFirstAddresses);
  const row = tables.upsertBroadcast(peer.email, { port, addresses: stored, capabilities }, settings.now());
  return { status: 200, body: { ok: true, expires_in: settings.ttlSeconds, broadcast_id: row.id, status: 'registered' } };
};

/** SPEC HB-1..HB-4: the body is not read beyond being JSON; nothing but the time moves. */
export const heartbeat: Handler = ({ certificate }, { settings, tables }) => {
  const peer = authenticate(certificate, tables, settings);
  const row = tables.touchBroadcast(peer.email, settings.now());
  if (!row) throw new HttpError('no_live_broadcast', 'no live broadcast for this identity; send ready first');
  return { status: 200, body: { ok: true, broadcast_expires: seconds(tables.expiresAtMs(row)), expires_in: settings.ttlSeconds, status: 'alive' } };
};

/** SPEC LOOKUP-1..LOOKUP-6. */
export const lookup: Handler = ({ query, certificate }, { settings, tables }) => {
  authenticate(certificate, tables, settings);
  const raw = query.get('email');
  if (raw === null || raw === '') throw new HttpError('missing_email', 'the email query parameter is required');
  const email = normalizeEmail(raw);
  if (email === null) throw new HttpError('invalid_email', 'email must be an email address');
  const row = tables.findBroadcast(email, settings.now());
  if (!row) throw new HttpError('peer_not_found', `${email} is not online`);
  const answer: Record<string, unknown> = {
    status: 'online',
    broadcast_expires: seconds(tables.expiresAtMs(row)),
    last_seen: seconds(row.lastSeenMs),
    addresses: row.addresses,
    port: row.port,
    email: row.email,
  };
  // SPEC LOOKUP-5: present exactly when the broadcast had capabilities. DEFECT capabilitiesDroppedInLookup.
  if (row.capabilities !== null && !settings.capabilitiesDroppedInLookup) answer.capabilities = row.capabilities;
  return { status: 200, body: answer };
};

/** SPEC LIST-1..LIST-7: live rows only (the sweep), caller excluded, byte order, our own cursor. */
export const list: Handler = ({ query, certificate }, { settings, tables, cursors }) => {
  const caller = authenticate(certificate, tables, settings);
  const limit = checkLimit(query.get('limit'));
  const cursor = query.get('cursor');
  const after = cursor === null ? null : cursors.read(cursor);
  const afterBytes = after === null ? null : Buffer.from(after, 'utf8');
  const rows = tables
    .allBroadcasts(settings.now())
    .filter((row) => row.email !== caller.email && (afterBytes === null || Buffer.compare(Buffer.from(row.email, 'utf8'), afterBytes) > 0));
  const page = rows.slice(0, limit);
  const headers: Record<string, string> = {};
  const last = page[page.length - 1];
  if (rows.length > limit && last) {
    // SPEC LIST-5 with a relative reference (RFC 8288 section 3.1: resolved against the request URL).
    headers.link = `<?cursor=${encodeURIComponent(cursors.issue(last.email))}&limit=${limit}>; rel="next"`;
  }
  return { status: 200, body: page.map(listItem), headers };
};

function listItem(row: BroadcastRow): Record<string, unknown> {
  const item: Record<string, unknown> = { last_seen: seconds(row.lastSeenMs), addresses: row.addresses, port: row.port, email: row.email };
  if (row.capabilities !== null) item.capabilities = row.capabilities;
  return item;
}
