/**
 * Turns `relaylab conformance` arguments into suite options, refusing bad
 * ones with a one-line UsageError (exit 2).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../cli/usage-error.ts';
import { loadBaseline } from './baseline.ts';
import { splitPatterns } from './glob.ts';
import type { AuthMode } from './target.ts';

export interface ConformanceArgs {
  target?: string;
  ca?: string;
  insecure?: boolean;
  auth?: string;
  only?: string[];
  maxWait?: number;
  reports?: string;
  seed?: number;
  baseline?: string;
  label?: string;
  targetImage?: string;
  targetPort?: number;
  targetArg?: string[];
  failOnSkip?: boolean;
  production?: boolean;
  concurrency?: number;
  strict?: boolean;
  untrustedSource?: string;
  targetCmd?: string;
  timeWarp?: number;
}

/** Flags that only mean something beside another one are refused alone, rather than silently ignored. */
export function checkFlagPairs(args: ConformanceArgs): void {
  if (!args.target && !args.targetImage && (args.ca || args.insecure)) throw new UsageError('--ca and --insecure go with --target (the embedded relay and --target-image need neither)');
  if (args.targetPort !== undefined && !args.targetImage) throw new UsageError('--target-port goes with --target-image');
  if (args.targetArg && args.targetArg.length > 0 && !args.targetImage) throw new UsageError('--target-arg goes with --target-image');
  if (args.targetCmd !== undefined && !args.target) throw new UsageError('--target-cmd goes with --target (the URL the started relay listens on)');
  if (args.targetCmd !== undefined && args.targetImage) throw new UsageError('give either --target-cmd or --target-image, not both');
  if (args.timeWarp !== undefined && args.targetCmd === undefined) throw new UsageError('--time-warp goes with --target-cmd (the suite can only warp the clock of a relay it starts)');
  if (args.untrustedSource !== undefined && !args.target && !args.targetImage) throw new UsageError('--untrusted-source goes with --target');
  // Over mutual TLS AUTH-5's forged header is sent from the suite's own address already; the option is for header auth.
  if (args.untrustedSource !== undefined && !(args.auth ?? '').startsWith('header:')) throw new UsageError('--untrusted-source goes with --auth header:NAME (over mutual TLS the forged header is sent from the suite\'s own address)');
  if (args.untrustedSource !== undefined && args.target) {
    const host = hostOf(args.target);
    // The suite reaches a loopback target from 127.0.0.1 (and its own address otherwise), the address it is trusted as a proxy from.
    const sameAsSuite = args.untrustedSource === host || (args.untrustedSource === '127.0.0.1' && /^127\./.test(host)) || (args.untrustedSource === '::1' && host === '::1');
    if (sameAsSuite) throw new UsageError(`--untrusted-source ${args.untrustedSource} is the address the suite reaches ${host} from, which the relay trusts as its proxy; give another local address such as 127.0.0.3`);
  }
}

function hostOf(target: string): string {
  try {
    return new URL(target).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** The reports folder is checked before the run, so a bad path never costs a whole run or replaces its exit code. */
/** Checked before the run (cli/writable-dir.ts): a run must not end in a folder it cannot write. */
export async function checkReportsDir(path: string | undefined): Promise<void> {
  if (!path) return;
  const { requireWritableDir } = await import('../../cli/writable-dir.ts');
  await requireWritableDir(path, '--reports');
}

export function parseAuth(text: string | undefined): AuthMode {
  if (!text || text === 'mtls') return { kind: 'mtls' };
  const match = /^header:([A-Za-z0-9!#$%&'*+.^_`|~-]+)$/.exec(text);
  if (!match) throw new UsageError(`--auth must be "mtls" or "header:NAME" (e.g. header:x-ssl-cert), got "${text}"`);
  return { kind: 'header', headerName: match[1] as string };
}

/**
 * https:// for any relay; http:// only with --auth header:NAME, for a relay
 * behind a TLS-terminating proxy that forwards the client certificate in a
 * header (reached directly, as the proxy reaches it).
 */
export function parseTargetUrl(text: string, auth: AuthMode = { kind: 'mtls' }): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--target must be a URL like https://127.0.0.1:8443, got "${text}"`);
  }
  if (url.protocol === 'http:' && auth.kind === 'mtls') {
    throw new UsageError(`--target ${text} is plain HTTP: client certificates need TLS, so give an https:// URL, or --auth header:NAME for a relay behind a TLS-terminating proxy`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--target must be an https:// URL (or http:// with --auth header:NAME), got "${text}"`);
  // The protocol's paths are absolute (/api/...): a prefix would be silently dropped, so refuse it.
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') throw new UsageError(`--target must be the relay's origin only (https://host:port), without a path, query or fragment; got "${text}"`);
  return url.origin;
}

export async function readCa(path: string | undefined, insecure: boolean | undefined): Promise<string | null> {
  if (path && insecure) throw new UsageError('give either --ca PEM or --insecure, not both');
  if (!path && !insecure) throw new UsageError("--target needs the relay's certificate (--ca PEM) or --insecure");
  if (!path) return null;
  try {
    const pem = await readFile(path, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--ca ${path} holds no PEM certificate`);
    return pem;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --ca ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** Cases run at once; 1 runs them one at a time. */
export const MAX_CONCURRENCY = 50;
export const DEFAULT_CONCURRENCY = 6;
/** libfaketime's speed-up beyond this makes one real millisecond of jitter worth minutes of relay time. */
export const MAX_TIME_WARP = 3600;

/** yargs turns `--concurrency abc` into NaN: say what was wrong, not "got NaN". */
const shown = (value: number): string => (Number.isNaN(value) ? 'something that is not a number' : String(value));

export function checkNumbers(args: ConformanceArgs): void {
  if (args.concurrency !== undefined && (!Number.isInteger(args.concurrency) || args.concurrency < 1 || args.concurrency > MAX_CONCURRENCY)) {
    throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, got ${shown(args.concurrency)}`);
  }
  if (args.timeWarp !== undefined && (!Number.isFinite(args.timeWarp) || args.timeWarp < 1 || args.timeWarp > MAX_TIME_WARP)) {
    throw new UsageError(`--time-warp must be a number from 1 to ${MAX_TIME_WARP} (how many times faster the relay's clock runs), got ${shown(args.timeWarp)}`);
  }
  if (args.maxWait !== undefined && (!Number.isFinite(args.maxWait) || args.maxWait < 0)) throw new UsageError(`--max-wait must be a number of seconds ≥ 0, got ${shown(args.maxWait)}`);
  if (args.seed !== undefined && (!Number.isInteger(args.seed) || args.seed < 0 || args.seed >= 2 ** 32)) throw new UsageError(`--seed must be an integer from 0 to 2^32-1, got ${shown(args.seed)}`);
}

/** --untrusted-source: a local address the suite can send from (127.0.0.0/8 holds many on Linux). */
export async function checkUntrustedSource(address: string | undefined): Promise<string | null> {
  if (address === undefined) return null;
  const { isIP } = await import('node:net');
  if (isIP(address) === 0) throw new UsageError(`--untrusted-source must be a local IP address such as 127.0.0.3, got "${address}"`);
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(new UsageError(`--untrusted-source ${address} is not an address of this machine (${error.code ?? error.message})`)));
    probe.listen(0, address, () => probe.close(() => resolve()));
  });
  return address;
}

export async function readBaseline(path: string | undefined) {
  if (!path) return undefined;
  try {
    return await loadBaseline(path);
  } catch (error) {
    throw new UsageError(`cannot read --baseline ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function onlyPatterns(only: string[] | undefined): string[] {
  return splitPatterns(only ?? []);
}
