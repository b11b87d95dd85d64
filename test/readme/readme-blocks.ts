/**
 * README.md's command blocks and references, read with `marked`'s lexer.
 * The rules (also at the top of readme-commands.test.ts and in a comment in
 * README.md):
 *
 * - A command block is a fenced block tagged sh, bash, shell or console.
 *   Other blocks (ts, yaml, untagged) are not run.
 * - sh/bash/shell: every line that is not blank or a `#` comment is a command
 *   (a trailing `\` joins the next line). console: lines starting with `$ `
 *   are commands; the lines under one, up to the next `$ `, are what it must
 *   print (somewhere in its stdout or stderr, in order), `...` matching any
 *   text and PORT, TOKEN matching a number and a word.
 * - An HTML comment right before the block, `<!-- readme-test: ... -->`,
 *   holds directives, one per line (or `;`-separated on one line):
 *     skip: REASON        not run; the reason is shown as the skipped test's name
 *     continues           same folder and background processes as the block before
 *     setup: COMMAND      run first, in the block's folder (repeatable)
 *     relay: URL [FILE]   a reference relay is started for the block; URL in the
 *                         commands becomes its address and FILE (in the block's
 *                         folder) its certificate
 *     exit: N             the last command must exit N (the others 0)
 *     background: REGEX   commands matching it run in the background too
 *     ready: REGEX        a background command is ready when its output matches
 *     timeout: DURATION   per command (default 2m)
 */
import { marked, type Token, type Tokens } from 'marked';

export const COMMAND_LANGS = new Set(['sh', 'bash', 'shell', 'console']);

export interface Command {
  /** 1-based line in README.md. */
  line: number;
  text: string;
  /** console blocks: the lines it must print. */
  expect: string[];
}

export interface Directives {
  skip?: string;
  continues: boolean;
  setup: string[];
  relay?: { url: string; caFile?: string };
  exit: number;
  background: RegExp[];
  ready?: RegExp;
  timeout?: string;
}

export interface CommandBlock {
  line: number;
  lang: string;
  text: string;
  commands: Command[];
  directives: Directives;
}

const DIRECTIVE = /^<!--\s*readme-test\b:?([\s\S]*?)-->\s*$/;

export function parseDirectives(body: string): Directives {
  const d: Directives = { continues: false, setup: [], exit: 0, background: [] };
  const entries = body.split(/\n|;(?=\s*(?:skip|continues|setup|relay|exit|background|ready|timeout)\b)/).map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const match = /^([a-z]+)\s*(?::\s*([\s\S]*))?$/.exec(entry);
    const key = match?.[1];
    const value = match?.[2]?.trim() ?? '';
    if (key === 'continues' && !value) d.continues = true;
    else if (key === 'skip' && value) d.skip = value;
    else if (key === 'setup' && value) d.setup.push(value);
    else if (key === 'relay' && value) {
      const [url, caFile] = value.split(/\s+/);
      d.relay = { url: url!, ...(caFile ? { caFile } : {}) };
    } else if (key === 'exit' && /^\d+$/.test(value)) d.exit = Number(value);
    else if (key === 'background' && value) d.background.push(new RegExp(value));
    else if (key === 'ready' && value) d.ready = new RegExp(value);
    else if (key === 'timeout' && value) d.timeout = value;
    else throw new Error(`unknown readme-test directive "${entry}" (known: skip, continues, setup, relay, exit, background, ready, timeout)`);
  }
  return d;
}

/** Commands of a block, with the line each starts on (`firstLine`: the block's first content line). */
export function parseCommands(lang: string, text: string, firstLine: number): Command[] {
  const commands: Command[] = [];
  const lines = text.split('\n');
  let pending: Command | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = firstLine + i;
    if (lang === 'console') {
      if (raw.startsWith('$ ')) commands.push({ line, text: raw.slice(2), expect: [] });
      else if (raw.trim() && commands.length > 0) commands.at(-1)!.expect.push(raw.trim());
      continue;
    }
    if (pending) {
      pending.text += `\n${raw}`;
      if (!raw.endsWith('\\')) pending = undefined;
      continue;
    }
    if (!raw.trim() || raw.trimStart().startsWith('#')) continue;
    const command = { line, text: raw, expect: [] };
    commands.push(command);
    if (raw.endsWith('\\')) pending = command;
  }
  return commands;
}

/** A console expectation as a regular expression: `...` is any text, PORT a number, TOKEN a word. */
export function expectationPattern(expected: string): RegExp {
  const escaped = expected
    .split('...')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\bPORT\b/g, '\\d+').replace(/\bTOKEN\b/g, '[\\w.~-]+'))
    .join('.*?');
  return new RegExp(escaped);
}

function lineOf(markdown: string, offset: number): number {
  return markdown.slice(0, offset).split('\n').length;
}

/** Top-level tokens with their offsets in the source (marked keeps `raw`, so offsets add up). */
function tokensWithOffsets(markdown: string): Array<{ token: Token; offset: number }> {
  let offset = 0;
  return marked.lexer(markdown).map((token) => {
    const at = offset;
    offset += token.raw.length;
    return { token, offset: at };
  });
}

export function commandBlocks(markdown: string): CommandBlock[] {
  const blocks: CommandBlock[] = [];
  let directives: Directives | undefined;
  for (const { token, offset } of tokensWithOffsets(markdown)) {
    if (token.type === 'space') continue;
    if (token.type === 'html' && DIRECTIVE.test(token.raw.trim())) {
      directives = parseDirectives(DIRECTIVE.exec(token.raw.trim())![1]!);
      continue;
    }
    if (token.type === 'code' && COMMAND_LANGS.has((token as Tokens.Code).lang ?? '')) {
      const code = token as Tokens.Code;
      const line = lineOf(markdown, offset);
      blocks.push({ line, lang: code.lang!, text: code.text, commands: parseCommands(code.lang!, code.text, line + 1), directives: directives ?? parseDirectives('') });
    } else if (directives && token.type !== 'code') {
      throw new Error(`a readme-test comment at line ${lineOf(markdown, offset)} is not right before a command block`);
    }
    directives = undefined;
  }
  return blocks;
}

/** Every link and image target in the document, and every inline code span. */
export function references(markdown: string): { links: string[]; codeSpans: string[] } {
  const links: string[] = [];
  const codeSpans: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (token) => {
    if (token.type === 'link' || token.type === 'image') links.push((token as Tokens.Link).href);
    if (token.type === 'codespan') codeSpans.push((token as Tokens.Codespan).text);
  });
  return { links, codeSpans };
}

/** GitHub's heading anchors, closely enough for our headings. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const token of marked.lexer(markdown)) {
    if (token.type === 'heading') {
      anchors.add((token as Tokens.Heading).text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').trim().replace(/\s/g, '-'));
    }
  }
  return anchors;
}
