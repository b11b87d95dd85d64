/**
 * Builds a Docker image of the reference relay from local files only:
 * `FROM scratch` plus a root filesystem assembled here (node, the shared
 * libraries `ldd` names, the project and its node_modules). Nothing is
 * pulled from a registry, which these machines cannot reach.
 *
 *   npx tsx docker/reference-relay/build-image.ts [TAG]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REFERENCE_IMAGE_TAG = 'relaylab/reference-relay:local';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
/** What the relay needs at run time; tests, reports and dev-only tools stay out. */
const PROJECT_ENTRIES = ['package.json', 'tsconfig.json', 'bin', 'cli', 'reference'];
const SKIPPED_MODULES = new Set(['typescript', 'playwright-core', '@types', 'vitest', '@vitest', 'testcontainers', 'fast-check', 'vite', 'rollup', '@rollup']);

export function buildReferenceRelayImage(tag = REFERENCE_IMAGE_TAG, log: (line: string) => void = () => {}): string {
  const context = mkdtempSync(join(tmpdir(), 'relaylab-image-'));
  try {
    const rootfs = join(context, 'rootfs');
    copyNodeRuntime(rootfs);
    copyProject(join(rootfs, 'app'));
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    copyFileSync(join(projectRoot, 'docker/reference-relay/Dockerfile'), join(context, 'Dockerfile'));
    log(`building ${tag} from ${context}`);
    execFileSync('docker', ['build', '--quiet', '-t', tag, context], { stdio: ['ignore', 'pipe', 'pipe'] });
    return tag;
  } catch (error) {
    const err = error as { stderr?: Buffer; message: string };
    throw new Error(`docker build of ${tag} failed: ${err.stderr?.toString().trim() || err.message}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

function copyNodeRuntime(rootfs: string): void {
  const node = realpathSync(process.execPath);
  copyInto(rootfs, node, '/usr/bin/node');
  const ldd = execFileSync('ldd', [node], { encoding: 'utf8' });
  for (const match of ldd.matchAll(/(\/\S+\.so[^\s]*)/g)) {
    const library = match[1] as string;
    copyInto(rootfs, realpathSync(library), library);
  }
}

function copyProject(appDir: string): void {
  for (const entry of PROJECT_ENTRIES) {
    cpSync(join(projectRoot, entry), join(appDir, entry), { recursive: true, filter: (src) => !/(\.test\.ts|\/test-[^/]*\.ts)$/.test(src) });
  }
  const modules = join(projectRoot, 'node_modules');
  cpSync(modules, join(appDir, 'node_modules'), {
    recursive: true,
    dereference: false,
    filter: (src) => {
      const top = relative(modules, src).split('/')[0] ?? '';
      return !SKIPPED_MODULES.has(top) && !relative(modules, src).startsWith('.bin/');
    },
  });
}

function copyInto(rootfs: string, source: string, pathInImage: string): void {
  const target = join(rootfs, pathInImage);
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  chmodSync(target, 0o755);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const tag = buildReferenceRelayImage(process.argv[2] ?? REFERENCE_IMAGE_TAG, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${tag}\n`);
}
