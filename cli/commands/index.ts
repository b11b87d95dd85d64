/**
 * Every `relaylab` verb, registered statically: a bundler (and a reader) sees
 * them all, where a folder listed at run time hid them (issue 13). A new verb
 * is one file in this folder and one line here; cli/commands.test.ts fails
 * when a file is missing from this list.
 */
import type { CommandModule } from 'yargs';
import conformanceCommand from './conformance.command.ts';
import connectCommand from './connect.command.ts';
import demoCommand from './demo.command.ts';
import friendsCommand from './friends.command.ts';
import getCommand from './get.command.ts';
import heartbeatCommand from './heartbeat.command.ts';
import identityCommand from './identity.command.ts';
import listCommand from './list.command.ts';
import lookupCommand from './lookup.command.ts';
import lsCommand from './ls.command.ts';
import peerCommand from './peer.command.ts';
import readyCommand from './ready.command.ts';
import registerCommand from './register.command.ts';
import relayCommand from './relay.command.ts';
import reportCommand from './report.command.ts';
import simulateCommand from './simulate.command.ts';
import sweepCommand from './sweep.command.ts';
import versionCommand from './version.command.ts';

export const COMMANDS: readonly CommandModule<any, any>[] = [
  conformanceCommand,
  connectCommand,
  demoCommand,
  friendsCommand,
  getCommand,
  heartbeatCommand,
  identityCommand,
  listCommand,
  lookupCommand,
  lsCommand,
  peerCommand,
  readyCommand,
  registerCommand,
  relayCommand,
  reportCommand,
  simulateCommand,
  sweepCommand,
  versionCommand,
];
