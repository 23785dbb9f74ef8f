#!/usr/bin/env node
// MAPF-v0 throughput sweep: 64x64 map, density 0.3, obsRadius 5, 64 agents per env.
//   node bench/mapf.js [--quick | --full] [--write-docs] [--repeat-sec S]
// --quick (default): 1024 envs x threads {1,2} x dtype {float32,uint8}, priority.
// --full: collision {priority,soft} x envs {1,16,256,1024,4096} x threads {1,2} x dtype {float32,uint8}.
// Every trial runs in a fresh `node bench/mapf-trial.js '<json>'` process. Results go to
// bench/results/mapf-<date>-<mode>.json; a markdown table is printed (and with --write-docs put
// between the bench:mapf markers of docs/benchmarks.md, or bench:mapf-full for --full).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTrial, si } from './sweep.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const BASE = { numAgents: 64, size: 64, density: 0.3, obsRadius: 5 };
const OBS_PER_AGENT = 3 * (2 * BASE.obsRadius + 1) ** 2; // 363
const TARGETS = { float32: 15e6, uint8: 50e6, fraction: 0.75, envs: 1024, threads: 2 };

function parse(argv) {
  const o = { mode: 'quick', writeDocs: false, repeatSec: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.mode = 'quick';
    else if (a === '--full') o.mode = 'full';
    else if (a === '--write-docs') o.writeDocs = true;
    else if (a === '--repeat-sec') o.repeatSec = Number(argv[++i]);
    else if (a.startsWith('--repeat-sec=')) o.repeatSec = Number(a.slice(13));
    else if (a === '--help' || a === '-h') o.help = true;
    else throw Object.assign(new Error(`unknown argument '${a}'`), { usage: true });
  }
  return o;
}

function grid(mode) {
  const collisions = mode === 'full' ? ['priority', 'soft'] : ['priority'];
  const envs = mode === 'full' ? [1, 16, 256, 1024, 4096] : [1024];
  const out = [];
  for (const collisionSystem of collisions)
    for (const numEnvs of envs)
      for (const numThreads of [1, 2])
        for (const obsDtype of ['float32', 'uint8']) out.push({ ...BASE, collisionSystem, numEnvs, numThreads, obsDtype });
  return out;
}

function git(args) {
  try { return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
}

export function machineInfo() {
  const cpus = os.cpus();
  const status = git(['status', '--porcelain']);
  return {
    cpuModel: cpus[0]?.model ?? 'unknown', cores: cpus.length, availableParallelism: os.availableParallelism(),
    totalMemGiB: +(os.totalmem() / 2 ** 30).toFixed(1), platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version, gitCommit: git(['rev-parse', 'HEAD']), gitDirty: status === null ? null : status.length > 0,
  };
}

const mb = (b) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function table(results) {
  const head = '| collision | envs | threads | obs | env-steps/s | agent-steps/s | spread (min–max agent-steps/s) | bytes/step | write bound (GB/s) | bound agent-steps/s | fraction of bound |';
  const rows = [head, '|' + '---|'.repeat(11)];
  for (const r of results) {
    const p = r.params;
    const pre = `| ${p.collisionSystem} | ${p.numEnvs} | ${p.numThreads}${r.numThreadsUsed && r.numThreadsUsed !== p.numThreads ? ` (${r.numThreadsUsed} used)` : ''} | ${p.obsDtype} |`;
    if (r.error || r.skipped) { rows.push(`${pre} ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error}`} | | | | | | |`); continue; }
    const A = p.numAgents;
    const lo = Math.min(...r.repeats) * A, hi = Math.max(...r.repeats) * A;
    rows.push(`${pre} ${si(r.envStepsPerSec)} | **${si(r.agentStepsPerSec)}** | ${si(lo)}–${si(hi)} | ${mb(r.bytesPerStep)} | ${(r.fill.bytesPerSec / 1e9).toFixed(2)} | ${si(r.writeBoundEnvStepsPerSec * A)} | ${r.fractionOfBound.toFixed(2)} |`);
  }
  return rows.join('\n');
}

function targetLines(results) {
  const lines = [];
  for (const dtype of ['float32', 'uint8']) {
    const r = results.find((x) => !x.error && !x.skipped && x.params.collisionSystem === 'priority' && x.params.numEnvs === TARGETS.envs
      && x.params.numThreads === TARGETS.threads && x.params.obsDtype === dtype);
    if (!r) continue;
    const t = TARGETS[dtype];
    lines.push(`- ${dtype}, ${TARGETS.envs} envs × 64 agents, ${TARGETS.threads} threads (priority): ${si(r.agentStepsPerSec)} agent-steps/s `
      + `(target ≥ ${si(t)}: ${r.agentStepsPerSec >= t ? 'met' : 'not met'}); fraction of write bound ${r.fractionOfBound.toFixed(2)} `
      + `(target ≥ ${TARGETS.fraction}: ${r.fractionOfBound >= TARGETS.fraction ? 'met' : 'not met'})`);
  }
  return lines.join('\n');
}

/** Replaces the text between `<!-- bench:KEY:start -->` and `<!-- bench:KEY:end -->` in docs/benchmarks.md. */
export function writeDocsBlock(key, text) {
  const file = join(root, 'docs', 'benchmarks.md');
  const start = `<!-- bench:${key}:start -->`, end = `<!-- bench:${key}:end -->`;
  const doc = readFileSync(file, 'utf8');
  const i = doc.indexOf(start), j = doc.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file}: markers ${start} / ${end} not found`);
  writeFileSync(file, `${doc.slice(0, i + start.length)}\n${text}\n${doc.slice(j)}`);
}

async function main() {
  const opts = parse(process.argv.slice(2));
  if (opts.help) { process.stdout.write(`usage: node bench/mapf.js [--quick|--full] [--write-docs] [--repeat-sec S]\n`); return; }
  const trials = grid(opts.mode);
  const results = [];
  const started = new Date();
  process.stderr.write(`MAPF-v0 sweep (${opts.mode}): ${trials.length} trials, one process each\n`);
  for (const [k, params] of trials.entries()) {
    if (opts.repeatSec) params.repeatSec = opts.repeatSec;
    const obsBytes = params.numEnvs * params.numAgents * OBS_PER_AGENT * (params.obsDtype === 'float32' ? 4 : 1);
    const label = `${params.collisionSystem} envs=${params.numEnvs} threads=${params.numThreads} ${params.obsDtype}`;
    if (obsBytes * 4 > os.freemem()) { // the arena is ~4x the obs bytes at most
      results.push({ params, skipped: `arena ~${mb(obsBytes * 4)} exceeds free memory` });
      process.stderr.write(`[${k + 1}/${trials.length}] ${label}: skipped (memory)\n`);
      continue;
    }
    const r = await runTrial(join(here, 'mapf-trial.js'), params);
    results.push(r);
    process.stderr.write(`[${k + 1}/${trials.length}] ${label}: ${r.error ? `error: ${r.error}` : `${si(r.agentStepsPerSec)} agent-steps/s, fraction ${r.fractionOfBound.toFixed(2)}`}\n`);
  }
  const machine = machineInfo();
  const date = started.toISOString().slice(0, 10);
  // The backend the trials ran on (MANYWORLDS_BACKEND, e.g. from the CLI's --backend): results of
  // another backend than native get their own file and never replace the docs' native tables.
  const backends = [...new Set(results.filter((r) => r.backend).map((r) => r.backend))];
  const backend = backends.length === 1 ? backends[0] : backends.join('+') || 'unknown';
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `mapf-${date}-${opts.mode}${backend === 'native' ? '' : `-${backend}`}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'mapf', mode: opts.mode, backend, started: started.toISOString(), machine, config: BASE, targets: TARGETS, results }, null, 2)}\n`);
  const md = `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.gitCommit?.slice(0, 10) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}, ${date}, \`--${opts.mode}\`, backend ${backend}.\n\n${table(results)}\n\n${targetLines(results)}`;
  process.stdout.write(`${md}\n\nwrote ${file}\n`);
  if (opts.writeDocs && backend !== 'native') process.stderr.write(`--write-docs skipped: the docs tables are native runs, these ran on ${backend}\n`);
  else if (opts.writeDocs) writeDocsBlock(opts.mode === 'full' ? 'mapf-full' : 'mapf', md);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err) => { process.stderr.write(`bench/mapf.js: ${err?.message ?? err}\n`); process.exitCode = err?.usage ? 2 : 1; });
}
