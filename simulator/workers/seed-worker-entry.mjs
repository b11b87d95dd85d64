// A worker thread starts without the parent's TypeScript loader. From an
// installed package the compiled worker sits beside this file; in a
// checkout, register tsx and load the TypeScript one.
import { existsSync } from 'node:fs';

const compiled = new URL('./seed-worker.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./seed-worker.ts');
}
