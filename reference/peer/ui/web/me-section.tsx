import type { MeView } from '../bridge-contract.ts';
import { formatDate, formatMoment, formatRelative, parseTime, words } from './format.ts';
import { useNow } from './hooks.ts';
import { MarkedText, PeerText } from './peer-text.tsx';

function Moment({ iso, now, field }: { iso: string | null; now: number; field: string }) {
  return <dd data-field={field}>{iso ? <time dateTime={iso}>{formatMoment(iso, now)}</time> : 'not yet'}</dd>;
}

export function MeSection({ me }: { me: MeView | null }) {
  const now = useNow(5000);
  const certificateMs = parseTime(me?.certificateExpiresAt);
  const addresses = Array.isArray(me?.addresses) ? me.addresses : [];
  return (
    <section id="me" class="card" aria-labelledby="me-title">
      <h2 id="me-title">Me</h2>
      {!me ? (
        <p class="note">Asking the local relaylab process…</p>
      ) : (
        <dl class="facts">
          <dt>Email</dt>
          <dd data-field="email" class="wrap">
            <PeerText text={me.email} />
          </dd>
          <dt>Fingerprint (SHA-256)</dt>
          <dd data-field="fingerprint" class="mono wrap-any">{me.fingerprintSha256}</dd>
          <dt>Relay</dt>
          <dd data-field="relay" class="mono wrap-any">
            <PeerText text={me.relayUrl} />
          </dd>
          <dt>State</dt>
          <dd aria-live="polite">
            <span data-field="state" data-state={me.state} class={`state state-${me.state}`}>{words(me.state)}</span>
            {me.stateDetail ? (
              <span data-field="state-detail" class="state-detail">
                {' '}
                <MarkedText text={me.stateDetail} />
              </span>
            ) : null}
          </dd>
          <dt>Registered</dt>
          <Moment field="registered" iso={me.registeredAt} now={now} />
          <dt>Announced</dt>
          <Moment field="announced" iso={me.announcedAt} now={now} />
          <dt>Last heartbeat</dt>
          <Moment field="last-heartbeat" iso={me.lastHeartbeatAt} now={now} />
          <dt>Broadcast expires</dt>
          <Moment field="broadcast-expires" iso={me.broadcastExpiresAt} now={now} />
          <dt>Certificate expires</dt>
          <dd data-field="certificate-expires">
            {me.certificateExpiresAt && certificateMs !== null ? (
              <time dateTime={me.certificateExpiresAt}>
                {formatDate(me.certificateExpiresAt)} ({formatRelative(certificateMs, now)})
              </time>
            ) : (
              '—'
            )}
          </dd>
          <dt>Announced addresses</dt>
          <dd data-field="addresses">
            {addresses.length === 0 ? (
              'none yet'
            ) : (
              <ul class="plain-list mono">
                {addresses.map((address) => (
                  <li key={address}>
                    <PeerText text={address} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
          <dt>Port</dt>
          <dd data-field="port" class="mono">{me.port}</dd>
        </dl>
      )}
    </section>
  );
}
