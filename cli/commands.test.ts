import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './commands/index.ts';

describe('cli/commands/index.ts', () => {
  it('lists every command module in cli/commands/, once', async () => {
    const files = readdirSync(new URL('./commands/', import.meta.url)).filter((f) => f.endsWith('.command.ts'));
    const modules = await Promise.all(files.map((f) => import(`./commands/${f}`) as Promise<{ default: unknown }>));
    expect(new Set(COMMANDS).size).toBe(COMMANDS.length);
    expect(COMMANDS.length).toBe(modules.length);
    for (const [i, m] of modules.entries()) expect(COMMANDS.includes(m.default as never), files[i]).toBe(true);
  });
});
