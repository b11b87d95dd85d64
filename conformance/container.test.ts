/**
 * `--target-image`: the suite starts an implementation packaged as a
 * container (here the reference relay, built locally from scratch: no
 * registry), tests it, and removes it.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReferenceRelayImage } from '../docker/reference-relay/build-image.ts';

const TAG = 'relaylab/reference-relay:conformance';
const BIN = new URL('../bin/relaylab.mjs', import.meta.url).pathname;
const run = promisify(execFile);

/**
 * Containers created from `image` by that name. Not `--filter ancestor=`
 * alone: that also matches every tag of the same image id, such as the one
 * test/docker/container-target.test.ts builds and runs at the same time.
 */
function containersOf(image: string): string {
  const rows = execFileSync('docker', ['ps', '-a', '--filter', `ancestor=${image}`, '--format', '{{.ID}} {{.Image}}'], { encoding: 'utf8' }).trim().split('\n');
  return rows.filter((row) => row.split(' ')[1] === image).map((row) => row.split(' ')[0]).join(' ');
}

beforeAll(() => {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    throw new Error('no Docker engine: start one with `bash .ci/start-docker.sh` (CI does)');
  }
  buildReferenceRelayImage(TAG);
}, 240_000);

describe('relaylab conformance --target-image', () => {
  it('starts the container, runs the suite against it, and removes it', async () => {
    const { stdout } = await run(process.execPath, [BIN, 'conformance', '--target-image', TAG, '--target-port', '8443', '--target-arg=--ttl', '--target-arg=4', '--only', 'GEN-*,REG-1*,EXP-2*'], {
      env: { ...process.env, TESTCONTAINERS_RYUK_DISABLED: 'true' },
      timeout: 120_000,
    });
    expect(stdout).toMatch(new RegExp(`started container ${TAG} at https://`));
    expect(stdout).toMatch(/declared TTL 4 s, expiry via real-time/);
    expect(stdout).toMatch(/RESULT: every MUST passes/);
    expect(containersOf(TAG)).toBe('');
  }, 150_000);

  it('refuses an image that is not on this machine without pulling', async () => {
    const failed = await run(process.execPath, [BIN, 'conformance', '--target-image', 'relaylab/absent-image:none', '--target-port', '8443']).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/is not on this machine \(the suite never pulls\)/);
  }, 30_000);
});
