#!/usr/bin/env node
// From a checkout, runs the TypeScript CLI through tsx (no build step after
// `npm install`); from an installed package, which ships no TypeScript
// sources, runs the compiled JavaScript in dist/.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../cli/main.ts', import.meta.url))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
} else {
  await import('../dist/cli/main.js');
}
