/**
 * Builds the conformance suite's Docker image from local files only:
 * `FROM scratch` plus a root filesystem assembled here. The project goes in
 * as its users get it: `npm run build`, `npm pack`, and the tarball
 * installed with production dependencies only (test/support/pack-install.ts),
 * so the image runs the compiled JavaScript, never tsx. Beside it: node and
 * the shared libraries `ldd` names, /bin/sh for --target-cmd, and
 * libfaketime when the host has it (for --time-warp). No CA bundle: the
 * suite pins the relay's certificate from --ca and dials nothing else.
 *
 *   npx tsx docker/conformance-suite/build-image.ts [TAG]
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** `docker run ... relaylab conformance ...` as issue 13 writes it: the image is plain `relaylab`. */
export const SUITE_IMAGE_TAG = 'relaylab';

const here = fileURLToPath(new URL('./', import.meta.url));

/**
 * test/support/pack-install.ts, loaded by URL rather than imported:
 * tsconfig.build.json compiles docker/, and an import tsc can follow would
 * put test/support/ into the shipped package.
 */
type PackAndInstall = (work: string) => { app: string };
async function loadPackAndInstall(): Promise<PackAndInstall> {
  const module = (await import(new URL('../../test/support/pack-install.ts', import.meta.url).href)) as { packAndInstall: PackAndInstall };
  return module.packAndInstall;
}
/** Debian's faketime package: the wrapper and the preload libraries it names by absolute path. */
const FAKETIME_BIN = '/usr/bin/faketime';
const FAKETIME_LIBS = '/usr/lib/x86_64-linux-gnu/faketime';

export interface SuiteImage {
  tag: string;
  /** Whether libfaketime went in (--time-warp works inside); false when the host has no faketime. */
  faketime: boolean;
}

export async function buildSuiteImage(tag = SUITE_IMAGE_TAG, log: (line: string) => void = () => {}): Promise<SuiteImage> {
  const context = mkdtempSync(join(tmpdir(), 'relaylab-suite-image-'));
  try {
    const rootfs = join(context, 'rootfs');
    const { app } = (await loadPackAndInstall())(context);
    cpSync(app, join(rootfs, 'app'), { recursive: true, verbatimSymlinks: true });
    await bundleEntry(join(rootfs, 'app/suite-entry.mjs'));
    copyExecutable(rootfs, realpathSync(process.execPath), '/usr/bin/node');
    copyExecutable(rootfs, realpathSync('/bin/sh'), '/bin/sh');
    writeLauncher(rootfs);
    const faketime = copyFaketime(rootfs);
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    chmodSync(join(rootfs, 'tmp'), 0o1777);
    copyFileSync(join(here, 'Dockerfile'), join(context, 'Dockerfile'));
    log(`building ${tag} from ${context}${faketime ? '' : ' (no libfaketime on this host: --time-warp will say so inside)'}`);
    execFileSync('docker', ['build', '--quiet', '-t', tag, context], { stdio: ['ignore', 'pipe', 'pipe'] });
    return { tag, faketime };
  } catch (error) {
    const err = error as { stderr?: Buffer; message: string };
    throw new Error(`docker build of ${tag} failed: ${err.stderr?.toString().trim() || err.message}`);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}

/** entry.ts as one ES module; the installed CLI it hands over to stays a separate file. */
async function bundleEntry(outfile: string): Promise<void> {
  await build({ entryPoints: [join(here, 'entry.ts')], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error' });
}

/** `relaylab` on PATH inside the image, so `--target-cmd 'relaylab relay ...'` works there too. */
function writeLauncher(rootfs: string): void {
  const launcher = join(rootfs, 'usr/local/bin/relaylab');
  mkdirSync(dirname(launcher), { recursive: true });
  writeFileSync(launcher, '#!/bin/sh\nexec /usr/bin/node /app/suite-entry.mjs "$@"\n', { mode: 0o755 });
}

/** Whether this host has Debian's faketime, which then goes into the image. */
export function hostHasFaketime(): boolean {
  return existsSync(FAKETIME_BIN) && existsSync(FAKETIME_LIBS);
}

function copyFaketime(rootfs: string): boolean {
  if (!hostHasFaketime()) return false;
  copyExecutable(rootfs, FAKETIME_BIN, FAKETIME_BIN);
  for (const name of readdirSync(FAKETIME_LIBS)) copyExecutable(rootfs, realpathSync(join(FAKETIME_LIBS, name)), join(FAKETIME_LIBS, name));
  return true;
}

/** A binary and the shared libraries ldd names for it, at the paths the loader looks them up by. */
function copyExecutable(rootfs: string, source: string, pathInImage: string): void {
  copyInto(rootfs, source, pathInImage);
  const ldd = execFileSync('ldd', [source], { encoding: 'utf8' });
  for (const match of ldd.matchAll(/(\/\S+\.so[^\s]*)/g)) {
    const library = match[1] as string;
    copyInto(rootfs, realpathSync(library), library);
  }
}

function copyInto(rootfs: string, source: string, pathInImage: string): void {
  const target = join(rootfs, pathInImage);
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(source, target);
  chmodSync(target, 0o755);
}

if (process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))) {
  const built = await buildSuiteImage(process.argv[2] ?? SUITE_IMAGE_TAG, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${built.tag}\n`);
}
