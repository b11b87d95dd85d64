/**
 * `relaylab friends`: edit the friends list (--friends FILE --add/--remove)
 * or show the statuses a running peer saved in <identity-dir>. Local only.
 */
import { formatSocket } from '../../reference/peer/core/friends-monitor.ts';
import { requireEmail } from './peer-args.ts';
import { loadFriendsFile, loadFriendsStatus, saveFriendsFile } from '../../reference/peer/http/friends-file.ts';
import { UsageError } from '../usage-error.ts';

export interface FriendsArgs {
  'identity-dir'?: string;
  friends?: string;
  add?: string[];
  remove?: string[];
  json: boolean;
}

export async function friendsCommand(args: FriendsArgs, print: (line: string) => void): Promise<void> {
  const editing = (args.add?.length ?? 0) + (args.remove?.length ?? 0) > 0;
  if (editing) return editFriends(args, print);
  if (!args['identity-dir']) throw new UsageError('pass --identity-dir D (the running peer\'s identity folder), or --friends FILE --add EMAIL');
  const status = await loadFriendsStatus(args['identity-dir']);
  if (!status) throw new UsageError(`no friends status in ${args['identity-dir']} yet: run \`relaylab peer ... --identity-dir ${args['identity-dir']} --friends FILE\``);
  if (args.json) return print(JSON.stringify(status, null, 2));
  print(`as of ${status.updatedAt}:`);
  if (status.friends.length === 0) print('(no friends yet: relaylab friends --friends FILE --add EMAIL)');
  for (const f of status.friends) {
    const where = f.lastGood ? ` at ${formatSocket(f.lastGood)}` : '';
    print(`${f.status.padEnd(8)} ${f.email}${where}: ${f.detail}`);
  }
}

async function editFriends(args: FriendsArgs, print: (line: string) => void): Promise<void> {
  if (!args.friends) throw new UsageError('--add and --remove need --friends FILE');
  const adds = (args.add ?? []).map((e) => requireEmail(e, '--add'));
  const removes = new Set((args.remove ?? []).map((e) => requireEmail(e, '--remove')));
  const list = (await loadFriendsFile(args.friends)).filter((f) => !removes.has(f.email));
  for (const email of adds) if (!list.some((f) => f.email === email)) list.push({ email, lastGood: null });
  await saveFriendsFile(args.friends, list);
  print(`${args.friends}: ${list.length} friend(s): ${list.map((f) => f.email).join(', ') || '(none)'}`);
}
