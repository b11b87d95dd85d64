/**
 * The real RenewalPort (core/certificate-renewal.ts): a new key pair, the
 * relay's POST /api/relay/renew over the current certificate, the files
 * (reference/identity/renewal-files.ts), and the switch of every later relay
 * call to the new certificate. `IdentityHolder` is that switch: the relay
 * port and the friends monitor call through it, so they follow a renewal
 * without being rebuilt.
 */
import type { Identity } from '../../identity/identity-files.ts';
import { commitPendingRenewal, discardPendingRenewal, pendingRenewal, renewedIdentity, windowOf, writePendingRenewal } from '../../identity/renewal-files.ts';
import type { Clock } from '../../shared/clock.ts';
import type { RenewalPort, RenewalReply } from '../core/certificate-renewal.ts';
import { RelayClient, type RelayClientOptions } from './relay-client.ts';

export class IdentityHolder {
  private currentClient: RelayClient;
  private currentIdentity: Identity;
  private readonly retired: Promise<void>[] = [];

  constructor(private readonly base: Omit<RelayClientOptions, 'identity'>, identity: Identity) {
    this.currentIdentity = identity;
    this.currentClient = new RelayClient({ ...base, identity });
  }

  get client(): RelayClient {
    return this.currentClient;
  }

  get identity(): Identity {
    return this.currentIdentity;
  }

  /** A client for another identity, closed by the caller (a probe of a pending renewal). */
  clientFor(identity: Identity): RelayClient {
    return new RelayClient({ ...this.base, identity });
  }

  /** Later calls present `identity`; calls in flight on the old client finish on it. */
  adopt(identity: Identity): void {
    const old = this.currentClient;
    this.currentIdentity = identity;
    this.currentClient = new RelayClient({ ...this.base, identity });
    this.retired.push(old.close().catch(() => undefined));
  }

  async close(): Promise<void> {
    await Promise.all([this.currentClient.close(), ...this.retired]);
  }
}

/** Whether the relay authenticates `identity`: a lookup of its own email answers 200 or 404 only then. */
async function relayHolds(holder: IdentityHolder, identity: Identity): Promise<boolean | 'unknown'> {
  const probe = holder.clientFor(identity);
  try {
    const reply = await probe.lookup(identity.email);
    if (reply.status === 200 || reply.status === 404) return true;
    return reply.status === 401 ? false : 'unknown';
  } catch {
    return 'unknown';
  } finally {
    await probe.close();
  }
}

/**
 * A pair left unconfirmed in `dir`: taken when the relay holds it, dropped
 * when the relay says it does not, kept while the relay cannot say (it may
 * be the only key the relay accepts).
 */
async function resolveUnconfirmed(dir: string, holder: IdentityHolder, pending: Identity): Promise<'adopted' | 'discarded' | 'unknown'> {
  const held = await relayHolds(holder, pending);
  if (held === 'unknown') return 'unknown';
  if (held) {
    await commitPendingRenewal(dir);
    holder.adopt(pending);
    return 'adopted';
  }
  await discardPendingRenewal(dir);
  return 'discarded';
}

/** Settles what an interrupted renewal left in `dir` before the peer starts; the holder then presents the identity to start with. */
export async function settlePendingRenewal(dir: string, holder: IdentityHolder, log: (line: string) => void): Promise<void> {
  const pending = await pendingRenewal(dir, holder.identity.email);
  if (pending.state === 'none') return;
  if (pending.state === 'incomplete') {
    await discardPendingRenewal(dir);
    return log('renewal: discarded a half-written renewal from an earlier run (the relay was never asked)');
  }
  if (pending.state === 'half_moved') {
    await commitPendingRenewal(dir);
    const { loadIdentityFiles } = await import('../../identity/identity-files.ts');
    holder.adopt(await loadIdentityFiles(dir));
    return log('renewal: finished moving the renewed certificate into place (an earlier run stopped half way)');
  }
  const outcome = await resolveUnconfirmed(dir, holder, pending.identity);
  if (outcome === 'adopted') {
    log(`renewal: the relay holds the certificate an earlier run renewed to; using it (SHA-256 ${pending.identity.fingerprintSha256})`);
  } else if (outcome === 'discarded') {
    log('renewal: the relay never took the certificate an earlier run tried to renew to; discarded it');
  } else {
    log(`renewal: cannot tell whether the relay took the renewal left in ${dir}; will ask again before the next renewal`);
  }
}

/**
 * The port. `dir` null keeps the renewed identity in memory only (a caller
 * that handed runPeer an identity of its own): said once in the log.
 */
export function renewalPortOver(holder: IdentityHolder, dir: string | null, clock: Clock): RenewalPort {
  return {
    renew(onReply) {
      let cancelled = false;
      renewOnce(holder, dir, clock).then(
        (reply) => !cancelled && onReply(reply),
        (error: unknown) => !cancelled && onReply({ kind: 'local_error', message: (error as Error).message }),
      );
      return {
        cancel() {
          cancelled = true;
        },
      };
    },
  };
}

async function renewOnce(holder: IdentityHolder, dir: string | null, clock: Clock): Promise<RenewalReply> {
  // An earlier attempt whose answer was lost may have landed: ask before making another.
  if (dir) {
    const pending = await pendingRenewal(dir, holder.identity.email);
    if (pending.state === 'unconfirmed') {
      const outcome = await resolveUnconfirmed(dir, holder, pending.identity);
      if (outcome === 'unknown') return { kind: 'unreachable', message: 'cannot ask the relay whether it took the renewal an earlier attempt sent; keeping that pair and asking again later' };
      if (outcome === 'adopted') return { kind: 'renewed', ...windowOf(pending.identity) };
    }
  }
  const fresh = renewedIdentity(holder.identity, clock.nowMs());
  if (dir) await writePendingRenewal(dir, fresh.identity);
  let reply;
  try {
    reply = await holder.client.renew(fresh.identity.certificatePem);
  } catch (error) {
    // Whether the relay took it is unknown: the pending pair stays for the next attempt to ask about.
    return { kind: 'unreachable', message: (error as Error).message };
  }
  if (reply.status === 200) {
    if (dir) await commitPendingRenewal(dir);
    holder.adopt(fresh.identity);
    return { kind: 'renewed', notBeforeMs: fresh.notBeforeMs, notAfterMs: fresh.notAfterMs };
  }
  if (dir) await discardPendingRenewal(dir);
  const code = typeof reply.body?.code === 'string' ? reply.body.code : '';
  const said = `HTTP ${reply.status}${code ? ` ${code}` : ''}${typeof reply.body?.error === 'string' ? `: ${reply.body.error}` : ''}`;
  if (reply.status === 404 && code === 'route_not_found') return { kind: 'unsupported', message: `the relay offers no renewal (${said})` };
  return { kind: 'refused', status: reply.status, message: said };
}
