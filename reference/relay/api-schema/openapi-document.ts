/**
 * The OpenAPI 3.1 document of the relay API, generated from the zod schemas
 * the relay validates with (request-schemas.ts) and the schemas of its
 * answers (response-schemas.ts). Pure; built once, on first use, so a
 * relay that never serves it never pays for it. The same document for
 * every relay configuration: EXT and TEST operations are marked
 * (`x-relaylab-profile`, tags) instead of left out.
 */
import * as z from 'zod';
import { ERROR_STATUS, type ErrorCode } from '../../shared/errors.ts';
import { RELAY_LIMITS } from '../../shared/protocol.ts';
import { EDGE_CODES, EDGE_PARSER_STATUSES, ENDPOINTS, type Endpoint } from './endpoints.ts';
import { errorAnswer } from './response-schemas.ts';

/** The document's own version: bump when the wire contract it describes changes. */
export const API_DOCUMENT_VERSION = '1.0.0';

type Json = Record<string, unknown>;

/** Requests are described as sent (before normalising), answers as sent back. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io }) as Json;
  return rest;
}

const MUTUAL_TLS =
  'The caller is the certificate it presents: the relay asks every client for one during the TLS handshake, accepts self-signed ones (no CA check) and identifies the caller by the SHA-256 fingerprint of its DER, which must be registered (SPEC GEN-3, AUTH-1..AUTH-4) and inside its validity window (AUTH-6). ' +
  'Behind a TLS-terminating proxy, a relay started with `--cert-header NAME --trusted-proxy CIDR` reads the client certificate (PEM, raw or URL-encoded) from header NAME instead, only on connections from those proxy addresses, and ignores it on every other connection (SPEC AUTH-5); two certificates in it are refused with 400 `ambiguous_client_certificate` (ROB-4).';

export function buildOpenApiDocument(): Json {
  const schemas: Json = {};
  const paths: Record<string, Json> = {};
  for (const endpoint of ENDPOINTS) {
    if (endpoint.body) schemas[endpoint.body.name] = jsonSchema(endpoint.body.schema, 'input');
    schemas[endpoint.answer.name] = jsonSchema(endpoint.answer.schema, 'output');
    paths[endpoint.path] = { [endpoint.method]: operation(endpoint) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Relay Tracker relay API (relaylab reference relay)',
      version: API_DOCUMENT_VERSION,
      description:
        'Peer discovery over HTTPS with client certificates, as conformance/SPEC.md specifies and the reference relay implements. Every error is `{"error", "code"}` with a stable code (SPEC ERR-1); each operation lists the codes it can answer with, by status. ' +
        `Bodies are JSON of at most ${RELAY_LIMITS.maxBodyBytes} bytes (ERR-6). An unknown path is 404 \`route_not_found\` (ERR-3); a known path with another method is 405 \`method_not_allowed\` with an Allow header (ERR-4); GET operations also answer HEAD. ` +
        'Operations tagged EXT exist only where the relay offers that extension (listed in health, SPEC EXT); the TEST operation only on a relay started in test mode (SPEC TEST-3); elsewhere both are 404 `route_not_found`.',
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: 'https://127.0.0.1:8443', description: "`relaylab relay`'s default address" }],
    tags: [
      { name: 'core', description: 'The protocol every relay offers.' },
      { name: 'EXT', description: 'Optional extensions (SPEC EXT): offered only where listed in health `extensions`.' },
      { name: 'TEST', description: 'Test-control profile (SPEC TEST): only on a relay started in test mode, never in production.' },
    ],
    security: [{ mutualTLS: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { mutualTLS: { type: 'mutualTLS', description: MUTUAL_TLS } },
    },
  };
}

function operation(endpoint: Endpoint): Json {
  const op: Json = {
    operationId: endpoint.operationId,
    summary: endpoint.summary,
    tags: [endpoint.profile],
    'x-relaylab-profile': endpoint.profile,
    'x-relaylab-spec': endpoint.spec,
  };
  if (endpoint.extension) op['x-relaylab-extension'] = endpoint.extension;
  if (endpoint.profile === 'TEST') op['x-relaylab-test-mode-only'] = true;
  // No security: nothing needed; optional: an empty alternative besides mutual TLS (OpenAPI 3.1 4.8.10).
  if (endpoint.security === 'none') op.security = [];
  if (endpoint.security === 'optional') op.security = [{}, { mutualTLS: [] }];
  if (endpoint.query) {
    op.parameters = endpoint.query.map((p) => ({ name: p.name, in: 'query', required: p.required, schema: jsonSchema(p.schema, 'output') }));
  }
  if (endpoint.body) {
    op.requestBody = { required: endpoint.body.required, content: { 'application/json': { schema: { $ref: `#/components/schemas/${endpoint.body.name}` } } } };
  }
  op.responses = responses(endpoint);
  return op;
}

function responses(endpoint: Endpoint): Json {
  const success: Json = { description: 'Success.', content: { 'application/json': { schema: { $ref: `#/components/schemas/${endpoint.answer.name}` } } } };
  if (endpoint.answer.linkHeader) success.headers = { Link: { description: 'When more items remain: `<URL>; rel="next"`, the next page (SPEC LIST-5).', schema: { type: 'string' } } };
  const out: Json = { '200': success };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set([...endpoint.codes, ...EDGE_CODES])) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  // What the HTTP parser refuses before any route runs (serve.ts clientErrorResponse): any path can get these.
  for (const [status, codes] of EDGE_PARSER_STATUSES) byStatus.set(status, codes);
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const response: Json = { description: errorDescription(status, codes, endpoint), content: { 'application/json': { schema: jsonSchema(errorAnswer(codes), 'output') } } };
    if (status === 405) response.headers = { Allow: { description: 'The methods this path accepts.', schema: { type: 'string' } } };
    if (status === 429) response.headers = { 'Retry-After': { description: 'Seconds until a registration from this address is accepted again.', schema: { type: 'string' } } };
    out[String(status)] = response;
  }
  return out;
}

function errorDescription(status: number, codes: ErrorCode[], endpoint: Endpoint): string {
  const listed = codes.map((c) => `\`${c}\``).join(', ');
  if (status === 405) return `${listed}: sent for any other method on this path (SPEC ERR-4).`;
  if (status === 408) return `${listed}: the request did not arrive in time (answered by the HTTP layer, then the connection is closed).`;
  if (status === 431) return `${listed}: the request headers (or the URL) are too large (answered by the HTTP layer).`;
  if (status === 404 && codes.includes('route_not_found')) {
    const where = endpoint.profile === 'TEST' ? 'a relay not in test mode (SPEC TEST-3), or one without a controllable clock' : `a relay that does not offer "${endpoint.extension}"`;
    return `${listed}: \`route_not_found\` on ${where}.`;
  }
  return `${listed}.`;
}

let built: Json | null = null;

/** The document, built on first call and kept (the schemas behind it never change). */
export function openApiDocument(): Json {
  built ??= buildOpenApiDocument();
  return built;
}

/** docs/openapi.json's text: the document, two-space indented, with a final newline. */
export function openApiDocumentText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
