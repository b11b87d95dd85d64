/**
 * Mutants of proof of possession, certificate expiry and renewal (REG-13,
 * AUTH-6, EXT-1), in the styles real relays get these wrong: the TLS
 * certificate ignored on register, validity read only at registration, a
 * renewal answered without being applied.
 */
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import type { RelayStore } from '../../reference/relay/core/types.ts';
import { x509Inspector } from '../../reference/identity/inspect.ts';
import { around, jsonObject, okResponse, type Mutant } from './mutant.ts';

const REGISTER = '/api/relay/register';
const RENEW = '/api/relay/renew';

/** A store whose identities never expire: the relay checked validity at registration and never again. */
function neverExpiring(store: RelayStore): RelayStore {
  const find = store.findIdentityByFingerprint.bind(store);
  return Object.assign(Object.create(store) as RelayStore, {
    findIdentityByFingerprint: async (fingerprint: string) => {
      const identity = await find(fingerprint);
      return identity ? { ...identity, notBeforeMs: 0, notAfterMs: Number.MAX_SAFE_INTEGER } : null;
    },
  });
}

export const POSSESSION_MUTANTS: Mutant[] = [
  {
    name: 'register-ignores-presented-certificate', breaks: ['REG-13'], description: 'registers whatever the body holds, whichever certificate the connection presents',
    build: () => ({ wrap: (core) => around(core, (request, next) => next(request.path === REGISTER ? { ...request, principal: null } : request)) }),
  },
  {
    name: 'validity-checked-once', breaks: ['AUTH-6'], description: 'checks the validity window at registration only: an expired certificate keeps authenticating',
    build: () => ({ wrap: (core, deps) => new RelayCore({ ...deps, store: neverExpiring(deps.store) }) }),
  },
  {
    name: 'renew-answers-without-renewing', breaks: ['EXT-1'], description: 'advertises renew and answers it 200 "renewed", but keeps the old certificate',
    build: () => ({
      wrap: (core) =>
        around(core, async (request, next) => {
          if (request.path !== RENEW || !request.principal) return next(request);
          const pem = jsonObject(request.bodyText)?.certificate;
          if (typeof pem !== 'string') return next(request);
          try {
            return okResponse({ status: 'renewed', email: x509Inspector.inspect(pem).emails[0] ?? '', id: 'mutant-id' });
          } catch {
            return next(request);
          }
        }),
    }),
  },
];

/** The extensions the EXT mutants offer, so each of their cases runs. */
const ALL_EXTENSIONS = { extensions: ['renew', 'goodbye', 'observed-address'] as const };
const GOODBYE = '/api/relay/broadcast/goodbye';

export const EXTENSION_MUTANTS: Mutant[] = [
  {
    name: 'goodbye-answers-without-ending', breaks: ['EXT-2'], description: 'answers goodbye 200 "gone" but leaves the broadcast listed until its TTL',
    build: () => ({
      relayOptions: { extensions: [...ALL_EXTENSIONS.extensions] },
      wrap: (core) => around(core, (request, next) => (request.path === GOODBYE && request.principal ? Promise.resolve(okResponse({ status: 'gone' })) : next(request))),
    }),
  },
  {
    name: 'observed-address-on-ready-only', breaks: ['EXT-3'], description: 'tells the observed address in ready answers but not in heartbeat answers',
    build: () => ({
      relayOptions: { extensions: [...ALL_EXTENSIONS.extensions] },
      wrap: (core) =>
        around(core, async (request, next) => {
          const response = await next(request);
          if (request.path !== '/api/relay/broadcast/heartbeat' || response.status !== 200) return response;
          const { observed_address: _dropped, ...rest } = response.body as Record<string, unknown>;
          return { ...response, body: rest };
        }),
    }),
  },
];
