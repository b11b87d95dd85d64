/**
 * Every command block in README.md runs, and everything it references exists
 * (issue 13: README once printed `--ca relay-cert.pem`, a file nothing made).
 *
 * Which blocks run, and how (the parsing is readme-blocks.ts, the running
 * run-chain.ts):
 * - A command block is a fenced block tagged sh, bash, shell or console; it
 *   runs unless a `<!-- readme-test: skip: REASON -->` comment right before it
 *   says why not (it then shows as a skipped test named by that reason). A
 *   block nobody marked that fails, fails this test.
 * - sh/bash/shell: each line that is not blank or a `#` comment is a command
 *   (`\` continues a line). console: `$ ` lines are commands and the lines
 *   under one are what it must print, in order; `...` matches anything, PORT a
 *   number, TOKEN a word.
 * - Each command runs in its own `bash -c`, in order, in a fresh temp folder
 *   (a chain's: `continues` keeps the block before's folder and background
 *   processes); it must exit 0 (`exit: N` for the block's last command) within
 *   2 minutes (`timeout: DURATION`).
 * - `relaylab` and `npx relaylab` are this checkout's bin/relaylab.mjs; npm is
 *   offline. HOME is a fresh folder (so `~/Shared` is the chain's). A relative
 *   path whose first part is a top-level entry of the checkout (scenarios/…,
 *   docs/…) finds a copy of it, so commands read as run from the checkout root
 *   and write nothing into it.
 * - `relaylab relay` and `relaylab peer` (and what `background: REGEX`
 *   matches) run in the background until the chain ends, then get SIGTERM;
 *   the next command starts once they print their ready line (`relay
 *   listening on`, `peer: ready`, the block's console lines, or `ready:
 *   REGEX`). One that exits early fails the block.
 * - Port 8443 (`relaylab relay`'s default) is a placeholder: `:8443` becomes a
 *   free port of the chain, and `relaylab relay` without `--port` is given it.
 * - `relay: URL FILE` starts a reference relay on that port before the block
 *   (in a folder of its own), writes its certificate to FILE and replaces URL
 *   with its address: for blocks written for someone else's relay.
 * - `setup: COMMAND` runs first; `npm install`/`ci`/`test` must be skipped
 *   (they are this test's own set-up).
 * References: every relative link and image, and every inline code span that
 * is a path under one of the checkout's top-level folders, must exist
 * (anchors into Markdown files must name a heading).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandBlocks, headingAnchors, references, type CommandBlock } from './readme-blocks.ts';
import { closeChain, openChain, ROOT, runBlock, type ChainContext } from './run-chain.ts';
import { missingReferences } from './references.ts';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const blocks = commandBlocks(README);

/** Blocks that run, grouped into chains (a `continues` block joins the chain before). */
function chains(all: CommandBlock[]): CommandBlock[][] {
  const out: CommandBlock[][] = [];
  for (const block of all.filter((b) => !b.directives.skip)) {
    if (block.directives.continues && out.length > 0) out.at(-1)!.push(block);
    else out.push([block]);
  }
  return out;
}

function title(block: CommandBlock): string {
  const first = block.commands[0]?.text.split('\n')[0] ?? '(no command)';
  return `line ${block.line}: ${first.length > 70 ? `${first.slice(0, 67)}...` : first}`;
}

const open: ChainContext[] = [];
afterAll(async () => {
  await Promise.all(open.map(closeChain));
});

describe('README.md command blocks', () => {
  it('has command blocks, each with at least one command', () => {
    expect(blocks.length).toBeGreaterThan(3);
    for (const block of blocks) expect(block.commands.length, title(block)).toBeGreaterThan(0);
  });

  for (const block of blocks.filter((b) => b.directives.skip)) {
    it.skip(`${title(block)} (skipped: ${block.directives.skip})`, () => undefined);
  }

  for (const chain of chains(blocks)) {
    it(chain.map(title).join(' + '), async () => {
      const ctx = await openChain();
      open.push(ctx);
      try {
        for (const block of chain) await runBlock(block, ctx);
      } finally {
        await closeChain(ctx);
        open.splice(open.indexOf(ctx), 1);
      }
    }, 10 * 60_000);
  }
});

describe('what README.md references', () => {
  it('exists: relative links, images and repo paths in inline code', () => {
    expect(missingReferences(README, references(README), headingAnchors, ROOT)).toEqual([]);
  });
});
