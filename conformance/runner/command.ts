/** `relaylab conformance`: options → target (given or embedded) → run → terminal tree and reports → exit code. */
import { UsageError } from '../../cli/usage-error.ts';
import { ALL_CASES } from '../cases/index.ts';
import { checkFlagPairs, checkNumbers, checkReportsDir, checkUntrustedSource, DEFAULT_CONCURRENCY, onlyPatterns, parseAuth, parseTargetUrl, readBaseline, readCa, type ConformanceArgs } from './cli-options.ts';
import { startEmbeddedRelay, type EmbeddedRelay } from './embedded-relay.ts';
import { runSuite, selectCases, SuiteInterruptedError, TargetUnreachableError, type SuiteListener, type SuiteResult } from './run-suite.ts';
import type { TargetOptions } from './target.ts';
import { renderTree, terminalListener } from './terminal-tree.ts';
import { EXIT_INTERRUPTED, onInterrupt, type Interrupt } from '../../cli/progress/interrupt.ts';
import { progressWriter, type ProgressWriter } from '../../cli/progress/progress-writer.ts';

export async function runConformanceCommand(args: ConformanceArgs): Promise<number> {
  const interrupt = onInterrupt();
  try {
    return await runInterruptible(args, interrupt);
  } finally {
    interrupt.dispose();
  }
}

/** Ctrl-C once: the relay we started is stopped, what finished is written marked partial, exit 130. */
async function runInterruptible(args: ConformanceArgs, interrupt: Interrupt): Promise<number> {
  checkNumbers(args);
  checkFlagPairs(args);
  await checkReportsDir(args.reports);
  const only = onlyPatterns(args.only);
  if (only.length > 0 && selectCases(ALL_CASES, only).length === 0) {
    throw new UsageError(`--only ${only.join(',')} selects no case; give requirement ids such as EXP-1 or globs such as 'EXP-*' (conformance/SPEC.md lists them)`);
  }
  const auth = parseAuth(args.auth);
  const baseline = await readBaseline(args.baseline);
  const untrustedSource = await checkUntrustedSource(args.untrustedSource);
  let embedded: EmbeddedRelay | null = null;
  // Ctrl-C while a relay starts: it is stopped as soon as it is up, and nothing runs.
  const startedOrStop = async (relay: EmbeddedRelay): Promise<EmbeddedRelay> => {
    if (!interrupt.signal.aborted) return relay;
    await relay.close();
    process.stdout.write('interrupted before any case ran: no reports written\n');
    process.exit(EXIT_INTERRUPTED);
  };
  let target: TargetOptions;
  if (args.targetImage) {
    if (args.target) throw new UsageError('give either --target or --target-image, not both');
    embedded = await startedOrStop(await startImage(args.targetImage, args.targetPort, args.targetArg ?? []));
    process.stdout.write(`started container ${args.targetImage} at ${embedded.url}; it is removed after the run\n`);
    target = { url: embedded.url, caPem: embedded.caPem, insecure: false, auth };
  } else if (args.target) {
    const url = parseTargetUrl(args.target, auth);
    const caPem = url.startsWith('http:') ? null : await readCa(args.ca, args.insecure);
    target = { url, caPem, insecure: Boolean(args.insecure), auth, untrustedSource };
    if (args.targetCmd !== undefined) {
      const { startTargetCommand } = await import('./target-process.ts');
      embedded = await startedOrStop(await startTargetCommand({ command: args.targetCmd, warp: args.timeWarp ?? 1, target }));
      process.stdout.write(`started the relay with --target-cmd${(args.timeWarp ?? 1) > 1 ? ` under libfaketime, its clock ${args.timeWarp}x faster` : ''}; it is stopped after the run\n`);
    }
  } else {
    if (auth.kind === 'header') throw new UsageError('--auth header:NAME needs --target (the embedded relay takes client certificates over TLS)');
    embedded = await startedOrStop(await startEmbeddedRelay());
    process.stdout.write(`no --target given: started the embedded reference relay at ${embedded.url} (TTL ${embedded.ttlSeconds} s, test mode, memory store)\n`);
    target = { url: embedded.url, caPem: embedded.caPem, insecure: false, auth };
  }
  let result: SuiteResult;
  try {
    result = await runSuite({
      target,
      only,
      failOnSkip: Boolean(args.failOnSkip),
      production: Boolean(args.production),
      strict: Boolean(args.strict),
      concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
      warp: args.timeWarp ?? 1,
      targetCmd: args.targetCmd ?? null,
      invocation: invocationOf(args),
      ...(args.seed !== undefined ? { seed: args.seed } : {}),
      maxWaitSeconds: args.maxWait ?? 120,
      ...(baseline ? { baseline } : {}),
      listener: withProgress(interrupt.signal),
      signal: interrupt.signal,
    });
  } catch (error) {
    if (error instanceof TargetUnreachableError) throw new UsageError(error.message);
    if (error instanceof SuiteInterruptedError) {
      await embedded?.close();
      process.stdout.write(`${error.message}: no reports written\n`);
      return EXIT_INTERRUPTED;
    }
    throw error;
  } finally {
    await embedded?.close();
  }
  if (args.label) result.label = args.label;
  const partial = result.partial;
  // Before the tree: its RESULT line counts only the cases that finished.
  if (partial) process.stdout.write(`PARTIAL (stopped by ${partial.signal}): ${partial.note}\n`);
  process.stdout.write(renderTree(result));
  if (args.reports) {
    const { writeReports } = await import('./reports/write-reports.ts');
    const written = await writeReports(args.reports, result);
    process.stdout.write(`reports: ${written.slice(0, 3).join(', ')}${written.length > 3 ? ` and ${written.length - 3} repro script(s) in ${args.reports}/repro` : ''}\n`);
  }
  if (partial) return EXIT_INTERRUPTED;
  return result.exitCode;
}

/**
 * The terminal tree on stdout, and elapsed, ETA and cases done on stderr
 * (cli/progress). With stderr on a TTY the bar replaces the tree's own
 * "[n/N] case" line: the tree writes as if not on a TTY, each of its
 * lines clearing the bar first (the bar redraws on its next tick).
 */
function withProgress(signal: AbortSignal): SuiteListener {
  const barOnTty = process.stderr.isTTY === true;
  const tree = terminalListener(barOnTty ? { isTTY: false, write: (text: string) => (process.stderr.write('\r\x1b[2K'), process.stdout.write(text)) } : process.stdout);
  let writer: ProgressWriter | null = null;
  signal.addEventListener('abort', () => writer?.stop(), { once: true });
  return {
    onStart(info) {
      tree.onStart?.(info);
      writer = progressWriter({ label: 'conformance', total: info.total, unit: 'cases' });
    },
    onCaseEnd(result, done, total) {
      tree.onCaseEnd?.(result, done, total);
      writer?.update({ done });
      if (done === total) writer?.stop();
    },
    onRerun(result) {
      tree.onRerun?.(result);
    },
  };
}

/** The arguments that select this target, quoted for a shell: the start of every rerun command the reports print. */
export function invocationOf(args: ConformanceArgs): string {
  // As a user types it from a project that installed relaylab (README): `npx relaylab`.
  const words = ['npx', 'relaylab', 'conformance'];
  const add = (flag: string, value: string | number | boolean | undefined) => {
    if (value === undefined || value === false) return;
    words.push(flag);
    if (value !== true) words.push(shellQuote(String(value)));
  };
  add('--target', args.target);
  add('--ca', args.ca);
  add('--insecure', args.insecure);
  if (args.auth && args.auth !== 'mtls') add('--auth', args.auth);
  add('--untrusted-source', args.untrustedSource);
  add('--target-image', args.targetImage);
  add('--target-port', args.targetPort);
  for (const a of args.targetArg ?? []) words.push(`--target-arg=${shellQuote(a)}`);
  add('--target-cmd', args.targetCmd);
  add('--time-warp', args.timeWarp);
  if (args.maxWait !== undefined && args.maxWait !== 120) add('--max-wait', args.maxWait);
  add('--production', args.production);
  return words.join(' ');
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Never pull: the image must already be on this machine (docker build / docker import / docker load). */
async function requireLocalImage(image: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  const ok = await new Promise<boolean | 'no-docker'>((resolve) =>
    execFile('docker', ['image', 'inspect', '--format', '{{.Id}}', image], (error) => resolve(error ? ((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no-docker' : false) : true)),
  );
  if (ok === 'no-docker') throw new UsageError('--target-image needs the docker command and a running Docker engine');
  if (!ok) throw new UsageError(`image ${image} is not on this machine (the suite never pulls); build, import or load it first`);
}

/** The implementation as a container (testcontainers); its certificate is read from the handshake of a container we started. */
async function startImage(image: string, port: number | undefined, containerArgs: string[]): Promise<EmbeddedRelay> {
  if (!port || !Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError('--target-image needs --target-port N (the port the relay listens on inside the container)');
  await requireLocalImage(image);
  const { startContainerTarget } = await import('../../docker/start-container-target.ts');
  try {
    const container = await startContainerTarget({ image, port, ...(containerArgs.length > 0 ? { command: containerArgs } : {}) });
    return { url: container.url, caPem: container.caPem, ttlSeconds: 0, close: () => container.stop() };
  } catch (error) {
    throw new UsageError(`cannot start container ${image}: ${((error as Error).message ?? String(error)).split('\n')[0]}`);
  }
}
