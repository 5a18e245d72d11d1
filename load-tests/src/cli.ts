/**
 * `npm run load -- <scenario> [options]` — the load-test kit's command line.
 *   npm run load -- list                       scenarios available now, and those waiting for their feature
 *   npm run load -- <scenario> --help          the scenario's options
 * Exit codes: 0 every verdict and threshold passed · 1 a verdict or threshold failed · 2 usage error ·
 * 3 the run could not be carried out (no server, a child failed to start, …).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { createProgress } from './lib/progress';
import { renderHtml, writeReports } from './lib/report';
import { fmt } from './lib/svg';
import { thresholdFor } from './lib/thresholds';
import { cpu, flag, formatIssues, httpUrl, int, kebab, splitArgs, UsageError } from './options';
import { PENDING_PUBLISHERS } from './realtime/publishers';
import { type RunReport, runScenario, type TargetSpec } from './run';
import { pendingReason, type ScenarioDef } from './scenario';
import { findPending, findScenario, PENDING, SCENARIOS } from './scenarios';

const DEFAULT_URL = 'http://127.0.0.1:3000';

const commonSchema = (metrics: readonly string[]) =>
  z
    .object({
      url: httpUrl.optional(),
      spawn: flag,
      serverCpu: cpu.optional(),
      clientCpu: cpu.optional(),
      serverPid: int(1, 4_194_304).optional(),
      serverEnv: z.array(z.string().regex(/^[A-Z][A-Z0-9_]*=.*$/, 'must be KEY=VALUE')).default([]),
      profile: z.string().min(1).optional(),
      baselineRef: z
        .string()
        .regex(/^[\w./~^@{}-]{1,100}$/, 'must be a git ref (branch, tag, commit, HEAD~1 …)')
        .optional(),
      threshold: z.array(thresholdFor(metrics)).default([]),
      out: z.string().min(1).default('load-tests/reports'),
      quiet: flag,
      help: flag,
    })
    .superRefine((o, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (o.spawn && o.url)
        issue('url', 'use either --url (a running server) or --spawn (the kit starts one), not both');
      if (o.spawn && o.serverPid)
        issue('serverPid', 'only for a server you started yourself (not with --spawn)');
      if (!o.spawn && o.serverEnv.length) issue('serverEnv', 'only with --spawn');
      if (!o.spawn && o.profile) issue('profile', 'only with --spawn');
      if (o.serverCpu !== undefined && o.serverCpu === o.clientCpu) {
        issue('clientCpu', 'the generator must not share the server CPU');
      }
    });

const COMMON_HELP: Record<string, string> = {
  url: `the server to load (default ${DEFAULT_URL}: command A's server)`,
  spawn:
    'start a private redis-server + server/src/main.ts for this run, pinned (default CPU 0, generator CPU 1)',
  serverCpu:
    'CPU of the server side: the spawned server and Redis, baselines (default 0 with --spawn or redis-ceiling)',
  clientCpu: 'CPU this generator pins itself to (default 1 with --spawn or redis-ceiling)',
  serverPid: 'pid of the server at --url: read its CPU/RSS from /proc instead of /metrics',
  serverEnv: 'KEY=VALUE for the spawned server (repeatable), e.g. --server-env FRAME_MS=100',
  profile:
    'DIR: the spawned server writes a V8 CPU profile (node --cpu-prof) of the whole run there when it stops',
  baselineRef:
    'git ref: run the project at that commit as the baseline, side by side (http-snapshot, flash-sale, join-burst): before/after in one run',
  threshold: 'metric<op>number, repeatable, e.g. --threshold p99<250 (ops < <= > >= ==); failing ones exit 1',
  out: 'directory for the JSON and HTML reports (default load-tests/reports)',
  quiet: 'no progress line',
  help: 'this help',
};

function usage(): string {
  const w = Math.max(...SCENARIOS.map((s) => s.name.length), ...PENDING.map((s) => s.name.length)) + 2;
  return [
    'Usage: npm run load -- <scenario> [options]      (npm run load -- <scenario> --help for its options)',
    '       npm run load -- report <result.json>…    (re-renders the HTML report of a saved result)',
    '',
    'Scenarios:',
    ...SCENARIOS.map((s) => `  ${s.name.padEnd(w)}${(s.benchmark ?? '').padEnd(8)}${s.summary}`),
    ...(PENDING.length
      ? [
          '',
          'Not available yet:',
          ...PENDING.map(
            (s) => `  ${s.name.padEnd(w)}${(s.benchmark ?? '').padEnd(8)}${pendingReason(s)}: ${s.summary}`,
          ),
        ]
      : []),
    ...(PENDING_PUBLISHERS.length
      ? [
          '',
          `fanout publishers not available yet: ${PENDING_PUBLISHERS.map((p) => `${p.name} (needs issue ${p.needsIssue})`).join(', ')}`,
        ]
      : []),
  ].join('\n');
}

function scenarioHelp(def: ScenarioDef): string {
  const line = (name: string, text: string) => `  --${kebab(name).padEnd(20)}${text}`;
  return [
    `npm run load -- ${def.name} [options]`,
    `  ${def.summary}`,
    '',
    'Scenario options:',
    ...Object.entries(def.help as Record<string, string>).map(([k, t]) => line(k, t)),
    '',
    'Common options:',
    ...Object.entries(COMMON_HELP).map(([k, t]) => line(k, t)),
    '',
    `Threshold metrics: ${def.metrics.join(', ')}`,
  ].join('\n');
}

/** Parses the command line; throws UsageError with every problem listed. */
export function parseCommandLine(argv: readonly string[]) {
  const name = argv[0];
  if (!name || name === '--help' || name === 'help') return { kind: 'help' as const };
  if (name === 'list') return { kind: 'list' as const };
  if (name === 'report') {
    const files = argv.slice(1);
    if (!files.length || files.some((f) => !f.endsWith('.json'))) {
      throw new UsageError('usage: npm run load -- report <result.json>… (writes the .html next to each)');
    }
    return { kind: 'report' as const, files };
  }
  // `npm run load -- chaos <fault> …` names the scenario `chaos-<fault>`.
  if (name === 'chaos' && argv[1] && !argv[1].startsWith('-')) {
    return parseCommandLine([`chaos-${argv[1]}`, ...argv.slice(2)]);
  }
  const pending = findPending(name);
  if (pending) throw new UsageError(`${name}: ${pendingReason(pending)}`);
  const def = findScenario(name);
  if (!def) throw new UsageError(`unknown scenario "${name}"\n\n${usage()}`);
  const common = commonSchema(def.metrics);
  const names = new Set([...Object.keys(common.shape), ...Object.keys(def.options.shape)]);
  const { values, positionals } = splitArgs(
    argv.slice(1),
    { names, flags: new Set(['spawn', 'quiet', 'help']), multiple: new Set(['threshold', 'serverEnv']) },
    `scenario ${name} (see npm run load -- ${name} --help)`,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const commonKeys = new Set(Object.keys(common.shape));
  const pick = (keep: boolean) =>
    Object.fromEntries(Object.entries(values).filter(([k]) => commonKeys.has(k) === keep));
  if (values.help) return { kind: 'scenario-help' as const, def };
  const c = common.safeParse(pick(true));
  const s = def.options.safeParse(pick(false));
  const problems = [
    c.success ? '' : formatIssues(c.error, values),
    s.success ? '' : formatIssues(s.error, values),
  ]
    .filter(Boolean)
    .join('\n');
  if (!c.success || !s.success) throw new UsageError(`invalid options for ${name}:\n${problems}`);
  return { kind: 'run' as const, def, common: c.data, options: s.data };
}

function printSummary(r: RunReport, files: { json: string; html: string }): void {
  const out: string[] = [];
  out.push(`${r.scenario}: ${r.pass ? 'PASS' : 'FAIL'}`);
  for (const v of r.verdicts) out.push(`  ${v.pass ? 'PASS' : 'FAIL'}  ${v.name} — ${v.detail}`);
  for (const t of r.thresholds) {
    out.push(
      `  ${t.pass ? 'PASS' : 'FAIL'}  threshold ${t.expr} (actual ${t.actual === null ? 'not measured' : fmt(t.actual)})`,
    );
  }
  out.push(
    `  metrics: ${Object.entries(r.metrics)
      .map(([k, v]) => `${k}=${v === null ? '—' : fmt(v)}`)
      .join('  ')}`,
  );
  for (const c of r.comparisons) {
    out.push(
      `  vs ${c.baseline}: ${c.metric} project ${c.projectMedian === null ? '—' : fmt(c.projectMedian)} / baseline ${c.baselineMedian === null ? '—' : fmt(c.baselineMedian)} = ${c.ratio ?? '—'} (medians of ${c.project.length}+${c.baselineValues.length} alternating rounds)`,
    );
  }
  for (const n of r.notes) out.push(`  note: ${n}`);
  out.push(`  pinning: ${r.pinning.note}`);
  out.push(`  report: ${files.html}`);
  out.push(`  json:   ${files.json}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export async function main(argv: readonly string[]): Promise<number> {
  let cmd: ReturnType<typeof parseCommandLine>;
  try {
    cmd = parseCommandLine(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 2;
  }
  if (cmd.kind === 'help' || cmd.kind === 'list') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  if (cmd.kind === 'report') {
    for (const file of cmd.files) {
      const html = file.replace(/\.json$/, '.html');
      writeFileSync(html, renderHtml(JSON.parse(readFileSync(file, 'utf8')) as RunReport));
      process.stdout.write(`${html}\n`);
    }
    return 0;
  }
  if (cmd.kind === 'scenario-help') {
    process.stdout.write(`${scenarioHelp(cmd.def)}\n`);
    return 0;
  }
  const { def, common, options } = cmd;
  const pinByDefault = cpus().length >= 2 && (common.spawn || def.needsServer === false);
  const serverCpu = common.serverCpu ?? (pinByDefault ? 0 : undefined);
  const clientCpu = common.clientCpu ?? (pinByDefault ? 1 : undefined);
  const target: TargetSpec = common.spawn
    ? {
        kind: 'spawn',
        nodeFlags: common.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(common.profile)}`] : undefined,
        env: Object.fromEntries(
          common.serverEnv.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
        ),
      }
    : { kind: 'url', url: common.url ?? DEFAULT_URL, serverPid: common.serverPid };
  const abort = new AbortController();
  let interrupted = 0;
  const onSignal = () => {
    interrupted++;
    if (interrupted > 1) process.exit(130);
    process.stderr.write(
      '\ninterrupted: finishing the current step and stopping (Ctrl-C again to quit now)\n',
    );
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = createProgress(process.stderr, common.quiet);
  try {
    const report = await runScenario({
      def,
      options,
      target,
      serverCpu,
      clientCpu,
      thresholds: common.threshold,
      baselines: 'spawn',
      baselineRef: common.baselineRef,
      progress,
      signal: abort.signal,
      command: `npm run load -- ${argv.join(' ')}`,
    });
    const files = writeReports(report, common.out);
    printSummary(report, files);
    return report.pass ? 0 : 1;
  } catch (err) {
    progress.done();
    process.stderr.write(`load test failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 3;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(3);
    },
  );
}
