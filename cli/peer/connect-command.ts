/**
 * `relaylab connect | ls | get`: look TARGET up at the relay with our
 * identity, run the try-order, then (ls/get) browse or download through
 * the winning address. Exit 0 connected; 1 when the peer could not be
 * reached for a runtime reason (relay unreachable, our certificate unknown
 * to it (401), TARGET not online, no address answered), with one line
 * saying why; 2 only for bad arguments or unreadable files (issue 3).
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';
import { requireDurationMs, requireEmail, requireStrategy } from './peer-args.ts';
import { connectToPeer, describeAttempt } from '../../reference/peer/api/connect-to-peer.ts';
import { PeerFilesClient, PeerRequestError } from '../../reference/peer/api/files-client.ts';
import type { RelayClient } from '../../reference/peer/http/relay-client.ts';
import { UsageError } from '../usage-error.ts';

export interface ConnectArgs {
  email: string;
  strategy: string;
  'attempt-timeout': string;
}

type Print = (line: string) => void;

/** The winner's base URL, or null (exit code already set, reason printed). */
export async function connectCommand(client: RelayClient, args: ConnectArgs, print: Print): Promise<string | null> {
  const targetEmail = requireEmail(args.email, '--email');
  const strategy = requireStrategy(args.strategy);
  const attemptTimeoutMs = requireDurationMs(args['attempt-timeout'], '--attempt-timeout', 10);
  const outcome = await connectToPeer(client, targetEmail, { strategy, attemptTimeoutMs, onAttempt: (a) => print(`attempt ${a.index + 1}: ${describeAttempt(a)}`) }).result;
  switch (outcome.kind) {
    case 'error':
      print(`not connected: lookup of ${targetEmail} failed (${outcome.code}): ${oneLine(outcome.message)}`);
      process.exitCode = 1;
      return null;
    case 'not_found':
      print(`${targetEmail} is not online at the relay (404)`);
      process.exitCode = 1;
      return null;
    case 'unreachable':
      print(`${targetEmail} announced ${outcome.lookup.addresses.join(', ')} port ${outcome.lookup.port}, but none answered as ${targetEmail}`);
      process.exitCode = 1;
      return null;
    case 'connected':
      print(`winner: ${outcome.origin} (${strategy}, ${outcome.tries.elapsedMs} ms)`);
      return outcome.origin;
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

export async function listCommand(baseUrl: string, path: string, json: boolean, print: Print): Promise<void> {
  try {
    const listing = await new PeerFilesClient(baseUrl).list(path);
    if (json) return print(JSON.stringify(listing, null, 2));
    for (const e of listing.entries) print(`${e.type === 'directory' ? 'd' : '-'} ${String(e.size).padStart(12)}  ${e.mtime}  ${e.name}${e.type === 'directory' ? '/' : ''}`);
    if (listing.entries.length === 0) print('(empty folder)');
  } catch (error) {
    failPeerRequest(error, print);
  }
}

/** Checked before connecting: never overwrite a user's file unasked. */
export async function checkOutFile(outFile: string, force: boolean): Promise<void> {
  if (!force && (await exists(outFile))) throw new UsageError(`${outFile} already exists; pass --force to overwrite it`);
  const folder = dirname(outFile);
  try {
    await access(folder, constants.W_OK);
  } catch (error) {
    throw new UsageError(`cannot save to ${outFile}: the folder ${folder} ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not writable'}`);
  }
}

export async function getCommand(baseUrl: string, path: string, outFile: string, print: Print): Promise<void> {
  try {
    const got = await new PeerFilesClient(baseUrl).download(path, outFile);
    print(`saved ${path} to ${outFile}: ${got.bytes} bytes, SHA-256 ${got.sha256}`);
  } catch (error) {
    failPeerRequest(error, print);
  }
}

function failPeerRequest(error: unknown, print: Print): void {
  if (!(error instanceof PeerRequestError)) throw error;
  print(error.status === 0 ? `could not talk to the peer (${error.code}): ${error.message}` : `the peer answered ${error.status} (${error.code}): ${error.message}`);
  process.exitCode = 1;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
