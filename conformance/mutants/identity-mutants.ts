/** Mutants of registration and authentication (GEN, REG, AUTH). */
import { X509Certificate, createHash } from 'node:crypto';
import { BlockList } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { RelayCore } from '../../reference/relay/core/relay-core.ts';
import { inspectCertificate, type CertificateInspector } from '../../reference/identity/inspect.ts';
import { makePrincipalExtractor } from '../../reference/relay/http/principal.ts';
import { toPem } from '../../reference/identity/certificate-builder.ts';
import { around, codeOf, errorResponse, jsonObject, okResponse, onResponse, type Mutant, type MutantBuild } from './mutant.ts';

const REGISTER = '/api/relay/register';

/** Rebuilds the core with a different certificate inspector. */
function withInspector(change: (inner: CertificateInspector) => CertificateInspector['inspect']): MutantBuild {
  return { wrap: (core, deps) => new RelayCore({ ...deps, certificates: { ...deps.certificates, inspect: change(deps.certificates) } }) };
}

function fakeRegistered(request: { bodyText: string | null }) {
  const email = String(jsonObject(request.bodyText)?.email ?? '').toLowerCase();
  return okResponse({ status: 'registered', email, id: 'mutant-id' });
}

export const IDENTITY_MUTANTS: Mutant[] = [
  {
    name: 'json-as-text-plain', breaks: ['GEN-1'], description: 'answers with Content-Type text/plain',
    build: () => onResponse(null, (r) => ({ ...r, headers: { ...r.headers, 'content-type': 'text/plain' } })),
  },
  {
    name: 'health-says-up', breaks: ['GEN-2'], description: 'health answers {"status":"up"}',
    build: () => onResponse('/api/health', (r) => ({ ...r, body: { status: 'up' } })),
  },
  {
    name: 'ignores-client-certificates', breaks: ['GEN-3', 'AUTH-4'], description: 'never sees the TLS client certificate',
    build: () => ({ principalOf: () => () => ({ principal: null }) }),
  },
  {
    name: 'register-without-id', breaks: ['REG-1'], description: 'registration answer lacks "id"',
    build: () => onResponse(REGISTER, (r) => (r.status === 200 ? { ...r, body: { ...(r.body as object), id: undefined } } : r)),
  },
  {
    name: 'accepts-bad-signatures', breaks: ['REG-2'], description: 'does not verify the self-signature',
    build: () => withInspector((inner) => (pem) => ({ ...inner.inspect(pem), selfSignatureValid: true })),
  },
  {
    name: 'ignores-san-emails', breaks: ['REG-3'], description: 'only looks for the email in the subject',
    build: () => withInspector((inner) => (pem) => {
      const facts = inner.inspect(pem);
      const subject = new X509Certificate(pem).subject.toLowerCase();
      return { ...facts, emails: facts.emails.filter((e) => subject.includes(e)) };
    }),
  },
  {
    name: 'skips-email-match', breaks: ['REG-4'], description: 'registers an email the certificate does not carry',
    build: () => onResponse(REGISTER, (r, request) => (codeOf(r) === 'email_mismatch' ? fakeRegistered(request) : r)),
  },
  {
    // The right status with another code is non-strict (ERR-1), never a REG-5 failure.
    name: 'bad-email-as-invalid-body', breaks: ['ERR-1'], only: ['REG-5*'], description: 'a malformed email is invalid_body, not invalid_email',
    build: () => onResponse(REGISTER, (r) => (codeOf(r) === 'invalid_email' ? errorResponse(400, 'invalid_body') : r)),
  },
  {
    name: 'email-defaults-to-certificate', breaks: ['REG-5'], description: 'a missing or empty email falls back to the certificate\'s (`body.email || cert.email`)',
    build: () => ({
      wrap: (core) => around(core, (request, next) => {
        const body = request.path === REGISTER ? jsonObject(request.bodyText) : null;
        if (!body || (body.email !== undefined && body.email !== '' && body.email !== null) || typeof body.certificate !== 'string') return next(request);
        let email: string | undefined;
        try {
          email = inspectCertificate(body.certificate).emails[0];
        } catch {
          return next(request);
        }
        return next({ ...request, bodyText: JSON.stringify({ ...body, email }) });
      }),
    }),
  },
  {
    name: 'case-sensitive-uniqueness', breaks: ['REG-6'], description: 'Alice@x and alice@x are different registrations',
    build: () => {
      const sentAs = new Set<string>();
      return onResponse(REGISTER, (r, request) => {
        const email = String(jsonObject(request.bodyText)?.email ?? '');
        if (r.status === 200) sentAs.add(email);
        if (codeOf(r) === 'email_taken' && !sentAs.has(email)) return fakeRegistered(request);
        return r;
      });
    },
  },
  {
    name: 'certificate-under-two-emails', breaks: ['REG-7'], description: 'registers one certificate under a second email',
    build: () => onResponse(REGISTER, (r, request) => (codeOf(r) === 'certificate_already_registered' ? fakeRegistered(request) : r)),
  },
  {
    name: 'refuses-rsa', breaks: ['REG-9'], description: 'refuses RSA-2048 keys',
    build: () => withInspector((inner) => (pem) => {
      const facts = inner.inspect(pem);
      return facts.keyType === 'rsa' ? { ...facts, keyType: 'rsa-refused' } : facts;
    }),
  },
  {
    name: 'accepts-short-rsa', breaks: ['REG-10'], description: 'accepts RSA keys under 2048 bits',
    build: () => withInspector((inner) => (pem) => ({ ...inner.inspect(pem), keyBits: 4096 })),
  },
  {
    name: 'plus-tag-dropped-on-lookup', breaks: ['REG-12'], description: 'lookup treats a+tag@x as a@x',
    build: () => ({
      wrap: (core) => around(core, (request, next) => {
        const email = request.query.get('email');
        if (request.path !== '/api/relay/broadcast/lookup' || !email?.includes('+')) return next(request);
        const query = new URLSearchParams(request.query);
        query.set('email', email.replace(/\+[^@]*@/, '@'));
        return next({ ...request, query });
      }),
    }),
  },
  {
    name: 'no-certificate-is-403', breaks: ['AUTH-1'], description: 'a missing certificate answers 403',
    build: () => onResponse(null, (r) => (codeOf(r) === 'client_certificate_required' ? { ...r, status: 403 } : r)),
  },
  {
    name: 'unregistered-is-403', breaks: ['AUTH-2'], description: 'an unregistered certificate answers 403 forbidden',
    build: () => onResponse(null, (r) => (codeOf(r) === 'certificate_not_registered' ? errorResponse(403, 'forbidden') : r)),
  },
  {
    name: 'identity-by-pem-text', breaks: ['AUTH-4'], description: 'remembers the PEM text as registered and compares it with the TLS certificate as PEM, so CRLF or 76-column registrations never authenticate',
    build: () => {
      // fingerprint → does the PEM text as registered equal the certificate TLS presents, written as PEM (64 columns, LF)?
      const textMatches = new Map<string, boolean>();
      return {
        wrap: (core) => around(core, async (request, next) => {
          const body = request.path === REGISTER ? jsonObject(request.bodyText) : null;
          const principal = request.principal;
          if (principal && !body && textMatches.get(principal.fingerprintSha256) === false) return errorResponse(401, 'certificate_not_registered');
          const response = await next(request);
          if (body && response.status === 200 && typeof body.certificate === 'string') {
            const der = new X509Certificate(body.certificate).raw;
            textMatches.set(createHash('sha256').update(der).digest('hex'), body.certificate.trim() === toPem('CERTIFICATE', der).trim());
          }
          return response;
        }),
      };
    },
  },
  {
    name: 'email-is-the-credential', breaks: ['AUTH-3'], description: 'accepts any certificate whose email is registered',
    build: () => {
      const fingerprintByEmail = new Map<string, string>();
      return {
        wrap: (core) => around(core, async (request, next) => {
          const response = await next(request);
          const body = jsonObject(request.bodyText);
          if (request.path === REGISTER && response.status === 200 && typeof body?.certificate === 'string') {
            fingerprintByEmail.set(String(body.email).toLowerCase(), inspectCertificate(body.certificate).fingerprintSha256);
          }
          return response;
        }),
        principalOf: () => (request) => {
          const certificate = (request.socket as TLSSocket).getPeerCertificate?.(false);
          if (!certificate?.raw) return { principal: null };
          const emails = inspectCertificate(toPem('CERTIFICATE', certificate.raw)).emails;
          const registered = emails.map((e) => fingerprintByEmail.get(e)).find(Boolean);
          return { principal: { fingerprintSha256: registered ?? createHash('sha256').update(certificate.raw).digest('hex'), source: 'tls' } };
        },
      };
    },
  },
  {
    name: 'trusts-header-from-anyone', breaks: ['AUTH-5'], description: 'believes the certificate header from any address',
    build: () => {
      const everyone = new BlockList();
      everyone.addSubnet('0.0.0.0', 0, 'ipv4');
      everyone.addSubnet('::', 0, 'ipv6');
      return {
        relayOptions: { certHeader: 'x-ssl-cert', trustedProxies: ['192.0.2.0/24'] },
        principalOf: (proxy) => makePrincipalExtractor(proxy ? { headerName: proxy.headerName, trusted: everyone } : null),
      };
    },
  },
];

