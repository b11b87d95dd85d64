/**
 * The sweep recipes in docs/ are commands the CLI accepts: every relaylab
 * command line in them is parsed with the real yargs command definitions
 * (strict, as cli/main.ts parses), each sweep is planned as `relaylab
 * sweep` plans it before running (scenario, values, grid size, shard),
 * and the merge step's glob picks up exactly the shard files written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import yargs, { type CommandModule } from 'yargs';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../simulator/sweep/plan-sweep.ts';
import { shardFileName } from '../simulator/sweep/shard-file.ts';
import reportCommand from './commands/report.command.ts';
import sweepCommand from './commands/sweep.command.ts';

const ROOT = join(import.meta.dirname, '..');
const docs = (name: string): string => readFileSync(join(ROOT, 'docs', name), 'utf8');

type Parsed = { verb: 'sweep' | 'report'; args: Record<string, unknown> };

/** argv → the command and its arguments, as cli/main.ts would hand them to the handler (which does not run). */
async function parseWithCli(argv: string[]): Promise<Parsed> {
  let parsed: Parsed | undefined;
  const parser = yargs(argv).strict().exitProcess(false).fail((message, error) => {
    throw error ?? new Error(message);
  });
  for (const [verb, command] of [['sweep', sweepCommand], ['report', reportCommand]] as const) {
    parser.command({ ...(command as CommandModule), handler: (args) => void (parsed = { verb, args }) });
  }
  await parser.parseAsync();
  if (parsed === undefined) throw new Error(`no command ran for ${argv.join(' ')}`);
  return parsed;
}

/** The words of every `npx relaylab ...` line in a shell script (backslash continuations joined; no quoting is used in the recipes). */
function relaylabLines(script: string): string[][] {
  return script.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('npx relaylab ')).map((l) => l.split(/\s+/).slice(2));
}

/** Plans a sweep from parsed args with paths from the repository root, as the recipes run from a checkout. */
async function planOf(args: Record<string, unknown>) {
  return planSweep({ file: join(ROOT, String(args.scenario)), sets: args.set as string[], seeds: Number(args.seeds), seed: args.seed as number | undefined, shard: args.shard as string | undefined });
}

function globMatches(glob: string, path: string): boolean {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path);
}

describe('the parser used here is the CLI\'s, strict', () => {
  it('refuses what relaylab would refuse', async () => {
    await expect(parseWithCli(['sweep', 'x.yaml', '--set', 'a=1', '--sed', '5'])).rejects.toThrow(/Unknown argument: sed/);
    await expect(parseWithCli(['sweep', 'x.yaml'])).rejects.toThrow(/Missing required argument: set/);
    // Each --set takes one word: a scenario path after it is still the scenario.
    expect((await parseWithCli(['sweep', '--set', 'a=1,2', 'x.yaml', '--set', 'b=3'])).args).toMatchObject({ scenario: 'x.yaml', set: ['a=1,2', 'b=3'] });
  });
});

describe('docs/sweep-github-actions.yml', () => {
  const workflow = parseAllDocuments(docs('sweep-github-actions.yml'))[0]?.toJS() as { jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; steps: Array<{ run?: string; with?: Record<string, unknown> }> }> };

  it('runs every shard of one sweep, and merges exactly the shard files the matrix wrote', async () => {
    const shards = workflow.jobs.sweep?.strategy?.matrix.shard ?? [];
    const written: string[] = [];
    const hashes = new Set<string>();
    for (const shard of shards) {
      // What the runner executes for this matrix entry: the expression substituted, then the shell's words.
      const lines = (workflow.jobs.sweep?.steps ?? []).flatMap((s) => relaylabLines((s.run ?? '').replaceAll('${{ matrix.shard }}', String(shard))));
      expect(lines).toHaveLength(1);
      const { verb, args } = await parseWithCli(lines[0] as string[]);
      expect(verb).toBe('sweep');
      const plan = await planOf(args);
      expect(plan.shard).toEqual({ index: shard, count: shards.length });
      hashes.add(plan.hash);
      // The artifact keeps the --out folder's contents; the merge job downloads them all into one folder.
      expect(workflow.jobs.sweep?.steps.find((s) => s.with?.path !== undefined)?.with?.path).toBe(`${args.out}/`);
      written.push(shardFileName(plan.shard as NonNullable<typeof plan.shard>));
    }
    expect(hashes.size).toBe(1);
    const download = workflow.jobs.merge?.steps.find((s) => s.with?.['merge-multiple'] === true)?.with ?? {};
    const [mergeLine, ...more] = (workflow.jobs.merge?.steps ?? []).flatMap((s) => relaylabLines(s.run ?? ''));
    expect(more).toEqual([]);
    const { verb, args } = await parseWithCli(mergeLine ?? []);
    expect(verb).toBe('report');
    const globs = args.merge as string[];
    expect(globs).toHaveLength(1);
    for (const name of written) expect(globMatches(globs[0] as string, `${download.path}/${name}`)).toBe(true);
  });
});

describe('docs/sweep-kubernetes-job.yaml and sweep-kubernetes-merge.yaml', () => {
  type Container = { command: string[]; args?: string[]; env?: Array<{ name: string }>; volumeMounts: Array<{ name: string; mountPath: string }> };
  type Job = { kind: string; spec: { completionMode?: string; completions?: number; template: { spec: { containers: Container[] } } } };
  const jobOf = (name: string): Job => parseAllDocuments(docs(name)).map((d) => d.toJS() as Job).find((d) => d.kind === 'Job') as Job;

  it('gives pod I of an Indexed Job --shard I/N from JOB_COMPLETION_INDEX, and the merge Job reads every shard it wrote', async () => {
    const job = jobOf('sweep-kubernetes-job.yaml');
    expect(job.spec.completionMode).toBe('Indexed');
    const container = job.spec.template.spec.containers[0] as Container;
    // The Job controller sets JOB_COMPLETION_INDEX; a container env of the same name would shadow it.
    expect(container.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX') ?? false).toBe(false);
    const argv = [...container.command, ...(container.args ?? [])];
    expect(argv.slice(0, 2)).toEqual(['npx', 'relaylab']);
    expect(argv).toContain('$(JOB_COMPLETION_INDEX)/3');
    const written: string[] = [];
    const hashes = new Set<string>();
    for (let index = 0; index < (job.spec.completions ?? 0); index++) {
      const { verb, args } = await parseWithCli(argv.slice(2).map((w) => w.replace('$(JOB_COMPLETION_INDEX)', String(index))));
      expect(verb).toBe('sweep');
      const plan = await planOf(args);
      expect(plan.shard).toEqual({ index, count: job.spec.completions });
      hashes.add(plan.hash);
      written.push(`${args.out}/${shardFileName(plan.shard as NonNullable<typeof plan.shard>)}`);
    }
    expect(hashes.size).toBe(1);
    const merge = jobOf('sweep-kubernetes-merge.yaml').spec.template.spec.containers[0] as Container;
    expect(merge.command.slice(0, 2)).toEqual(['sh', '-c']);
    const [mergeLine] = relaylabLines(merge.command[2] as string);
    const { verb, args } = await parseWithCli(mergeLine ?? []);
    expect(verb).toBe('report');
    for (const path of written) expect(globMatches((args.merge as string[])[0] as string, path)).toBe(true);
    expect(merge.volumeMounts).toEqual(container.volumeMounts);
  });
});
