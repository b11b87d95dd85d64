/**
 * `relaylab peer`: the seven lifecycle steps of issue 3 as one long-running
 * process. Step 1 (identity) happens here; steps 2-6 in runPeer; step 7 is
 * the signal handler. Exit 0 on SIGTERM/SIGINT, 2 when the input or the
 * identity is wrong (including "someone else holds this email"), 1 for any
 * other fatal relay answer.
 */
import { loadOrCreateIdentity } from '../../reference/identity/identity-files.ts';
import { defaultIdentityDir, relayTrustOf, requireDurationMs, requireEmail, requireFolder, requireIpList, requirePort, requireStrategy } from './peer-args.ts';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PeerFatalError, runPeer, type RunPeerOptions } from '../../reference/peer/http/run-peer.ts';
import type { RunningRemoteHouse } from '../../reference/peer/ui/bridge-server.ts';
import { UsageError } from '../usage-error.ts';

export interface PeerCommandArgs {
  relay: string;
  'relay-ca'?: string;
  insecure: boolean;
  email: string;
  root: string;
  /** Serve dotfiles and dot-folders too (absent: false). */
  'serve-dotfiles'?: boolean;
  /** Renew the certificate before it expires (absent: true). */
  renew?: boolean;
  'identity-dir'?: string;
  port: number;
  host?: string;
  'public-address'?: string[];
  'include-loopback': boolean;
  'only-loopback': boolean;
  'heartbeat-interval': string;
  'address-check-interval': string;
  friends?: string;
  'health-interval': string;
  'attempt-timeout': string;
  strategy: string;
  /** Serve RemoteHouse, the browser UI, on loopback. */
  ui?: boolean;
  'ui-port'?: number;
  open?: boolean;
}

const USER_FATALS = new Set(['email_held_by_another_identity', 'registration_rejected']);

export async function runPeerCommand(args: PeerCommandArgs, print: (line: string) => void): Promise<void> {
  const email = requireEmail(args.email, '--email');
  const root = await requireFolder(args.root, '--root');
  const { relayCaPem, insecure } = await relayTrustOf(args);
  const identityDir = args['identity-dir'] ?? defaultIdentityDir(email);
  const options: Omit<RunPeerOptions, 'identity'> = {
    relayUrl: args.relay,
    ...(relayCaPem ? { relayCaPem } : {}),
    insecure,
    root,
    // Serving a folder that contains the identity must never publish the private key.
    privatePaths: [identityDir],
    serveDotfiles: args['serve-dotfiles'] ?? false,
    identityDir,
    renew: args.renew ?? true,
    port: requirePort(args.port, '--port'),
    ...(args.host ? { host: requireIpList([args.host], '--host')[0] } : {}),
    publicAddresses: requireIpList(args['public-address'], '--public-address'),
    includeLoopback: args['include-loopback'] || args['only-loopback'],
    ...(args['only-loopback'] ? { interfaces: () => [{ address: '127.0.0.1' }, { address: '::1' }] } : {}),
    heartbeatIntervalMs: requireDurationMs(args['heartbeat-interval'], '--heartbeat-interval', 1_000),
    addressCheckIntervalMs: requireDurationMs(args['address-check-interval'], '--address-check-interval', 100),
    log: (line) => print(`peer: ${line}`),
  };
  if (args.open && !args.ui) throw new UsageError('--open needs --ui');
  if (args['ui-port'] !== undefined && !args.ui) throw new UsageError('--ui-port needs --ui');
  const uiPort = args.ui ? requirePort(args['ui-port'] ?? 0, '--ui-port') : 0;
  // RemoteHouse always has a friends list: the given one, or one beside the identity (private: never served).
  const friendsFile = args.friends ?? (args.ui ? join(identityDir, 'friends.json') : undefined);
  if (friendsFile) {
    options.friends = {
      file: friendsFile,
      statusDir: identityDir,
      healthIntervalMs: requireDurationMs(args['health-interval'], '--health-interval', 100),
      attemptTimeoutMs: requireDurationMs(args['attempt-timeout'], '--attempt-timeout', 10),
      strategy: requireStrategy(args.strategy),
    };
  }

  // A taken --ui-port is found before the peer registers and announces itself at the relay.
  if (args.ui && uiPort !== 0) await requirePortFree('127.0.0.1', uiPort, '--ui-port');

  // Listen for SIGTERM before anything is printed: whoever reads our output may signal at once,
  // and a signal during start-up must still end in a clean exit 0 (step 7).
  const stopped = waitForSignal();

  // Step 1: the identity, created once and never regenerated silently.
  const { identity, created } = await loadOrCreateIdentity(identityDir, email);
  print(`peer: identity ${created ? 'created' : 'loaded'} in ${identityDir}: ${identity.email}, SHA-256 ${identity.fingerprintSha256}`);

  let peer;
  try {
    peer = await runPeer({ ...options, identity, onFatal: (error) => void stopOnFatal(error) });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'relay_unreachable') throw new UsageError((error as Error).message);
    throw error;
  }
  print(`peer: serving ${root} on port ${peer.port}`);
  let ui: RunningRemoteHouse | null = null;
  if (args.ui) {
    const { startRemoteHouse } = await import('../../reference/peer/ui/bridge-server.ts');
    try {
      ui = await startRemoteHouse({ peer, port: uiPort, ...(options.friends ? { attemptTimeoutMs: options.friends.attemptTimeoutMs, strategy: options.friends.strategy } : {}) });
    } catch (error) {
      await peer.close();
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`--ui-port ${uiPort} is in use; pick another or pass 0`);
      throw error;
    }
    print(`RemoteHouse: ${ui.url}`);
    if (args.open) (await import('../../reference/peer/ui/open-browser.ts')).openInBrowser(ui.url, (line) => print(`peer: ${line}`));
  }
  const closeAll = async () => {
    await ui?.close();
    await peer.close();
  };
  const stopOnFatal = async (error: PeerFatalError): Promise<void> => {
    print(`peer: giving up: ${error.message}`);
    await closeAll();
    process.exit(USER_FATALS.has(error.code) ? 2 : 1);
  };
  try {
    await Promise.race([peer.live, stopped]);
  } catch (error) {
    await closeAll();
    if (error instanceof PeerFatalError && USER_FATALS.has(error.code)) throw new UsageError(error.message);
    if (error instanceof PeerFatalError) {
      print(`peer: giving up: ${error.message}`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
  const signal = await stopped;
  print(`peer: ${signal}: stopping`);
  await closeAll();
  print('peer: stopped');
  process.exit(0);
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

function requirePortFree(host: string, port: number, flag: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new UsageError(`${flag} ${port} is in use; pick another or pass 0`) : error));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
