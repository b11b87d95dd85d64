/**
 * What some test files need beyond Node, in one place: how to tell whether
 * this machine has it, how a user gets it, and which test files need it.
 *
 * Which files need what is decided by a rule on their source, so a test file
 * added later is covered without being listed anywhere:
 *   postgres  imports test-database.ts (a fresh database per test) or `pg`
 *   docker    imports testcontainers or docker/…, or runs the `docker` CLI
 *   chromium  imports playwright-core (Debian's /usr/bin/chromium)
 *   root      calls requireNetworkAdmin (network namespaces and iptables)
 *   faketime  none left out: the files that run faketime guard their own
 *             cases (`problemWith('faketime')`, HAS_FAKETIME); EXTRA_FILES
 *             lists any that cannot
 * vitest.config.ts leaves out the files whose need is missing, printing one
 * line per missing thing; vitest.quick.config.ts leaves them all out.
 */
import { accessSync, constants, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { adminDatabaseUrl } from '../../reference/relay/stores/test-database.ts';
import { redactPostgresUrl } from '../../reference/relay/stores/postgres-url.ts';
import { readSetupState } from './setup-state.ts';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Need = 'postgres' | 'docker' | 'chromium' | 'faketime' | 'root';
export const NEEDS: readonly Need[] = ['postgres', 'docker', 'chromium', 'faketime', 'root'];

/** The folders vitest.config.ts takes tests from. */
export const TEST_ROOTS = ['reference', 'conformance', 'simulator', 'cli', 'test'];
export const TEST_INCLUDE = TEST_ROOTS.map((dir) => `${dir}/**/*.test.ts`);

export const CHROMIUM_PATH = '/usr/bin/chromium';

const SOURCE_RULES: Record<Need, RegExp | undefined> = {
  postgres: /from ['"][^'"]*test-database\.ts['"]|from ['"]pg['"]/,
  docker: /from ['"]testcontainers['"]|from ['"][^'"]*docker\/[^'"]*['"]|\(\s*['"]docker['"]\s*,/,
  chromium: /from ['"]playwright-core['"]/,
  root: /\brequireNetworkAdmin\b/,
  faketime: undefined,
};

/** Files the source rules cannot see; each should rather guard itself (see the report of issue 13). */
const EXTRA_FILES: Record<Need, readonly string[]> = {
  postgres: [],
  docker: [],
  chromium: [],
  root: [],
  faketime: [],
};

/** One line for a user: what is missing and how to get it. */
const HOW_TO_GET: Record<Need, string> = {
  postgres: 'start it with `sudo bash .ci/start-postgres.sh`, or point RELAYLAB_PG_URL at a server whose role can CREATEDB',
  docker: 'start one with `sudo bash .ci/start-docker.sh` (`sudo bash .ci/install-system.sh` installs it)',
  chromium: `install it with \`sudo apt-get install chromium\` (${CHROMIUM_PATH}; \`sudo bash .ci/install-system.sh\` does it)`,
  faketime: 'install it with `sudo apt-get install faketime`',
  root: 'run `npm test` as root (CI does), with `ip` and `iptables` installed (`sudo bash .ci/install-system.sh`)',
};

export function listTestFiles(root = ROOT): string[] {
  const files: string[] = [];
  for (const dir of TEST_ROOTS) {
    let entries: string[];
    try {
      entries = readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.endsWith('.test.ts') && !entry.split('/').includes('node_modules')) files.push(`${dir}/${entry}`);
    }
  }
  return files.sort();
}

/** The needs of one test file, from its source (see the rules above). */
export function needsOfSource(file: string, source: string): Need[] {
  return NEEDS.filter((need) => SOURCE_RULES[need]?.test(source) || EXTRA_FILES[need].includes(file));
}

/** For each need, the test files (repo-relative) that have it. */
export function filesByNeed(root = ROOT): Record<Need, string[]> {
  const byNeed = Object.fromEntries(NEEDS.map((need) => [need, [] as string[]])) as Record<Need, string[]>;
  for (const file of listTestFiles(root)) {
    for (const need of needsOfSource(file, readFileSync(join(root, file), 'utf8'))) byNeed[need].push(file);
  }
  return byNeed;
}

function succeeds(command: string, args: string[], timeoutMs = 10_000): boolean {
  return spawnSync(command, args, { stdio: 'ignore', timeout: timeoutMs }).status === 0;
}

async function postgresProblem(): Promise<string | undefined> {
  const url = adminDatabaseUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    const detail = (error as { code?: string }).code ?? (error as Error).message;
    return `no PostgreSQL at ${redactPostgresUrl(url)} (${detail})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Why this machine lacks the need, or undefined when it has it. Each check takes well under a second when present. */
export async function problemWith(need: Need): Promise<string | undefined> {
  switch (need) {
    case 'postgres':
      return postgresProblem();
    case 'docker':
      return succeeds('docker', ['info']) ? undefined : 'no Docker engine (`docker info` failed)';
    case 'chromium':
      try {
        accessSync(CHROMIUM_PATH, constants.X_OK);
        return undefined;
      } catch {
        return `no Chromium at ${CHROMIUM_PATH}`;
      }
    case 'faketime':
      return succeeds('sh', ['-c', 'command -v faketime']) ? undefined : 'no faketime command';
    case 'root':
      if (process.getuid?.() !== 0) return 'not running as root';
      return succeeds('ip', ['-V']) && succeeds('iptables', ['--version']) ? undefined : 'no `ip` or `iptables`';
  }
}

export interface Missing {
  need: Need;
  problem: string;
  files: string[];
  /** What `npm test`'s set-up step tried, when it failed (setup-state.ts). */
  tried?: string;
}

export async function missingNeeds(root = ROOT): Promise<Missing[]> {
  const byNeed = filesByNeed(root);
  const problems = await Promise.all(NEEDS.map((need) => problemWith(need)));
  const tried = readSetupState();
  return NEEDS.flatMap((need, i) => (problems[i] ? [{ need, problem: problems[i], files: byNeed[need], ...(tried[need] ? { tried: tried[need] } : {}) }] : []));
}

/** The one line a user sees for a missing need. */
export function missingLine(missing: Missing): string {
  const count = missing.files.length;
  const skipped = count === 0 ? 'no test file needs it' : `skipping ${count} test file${count === 1 ? '' : 's'}: ${missing.files.join(', ')}`;
  const tried = missing.tried ? ` (npm test tried: ${missing.tried})` : '';
  return `relaylab tests: ${missing.problem}${tried}: ${HOW_TO_GET[missing.need]}; ${skipped}`;
}
