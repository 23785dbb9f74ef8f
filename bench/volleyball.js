#!/usr/bin/env node
// Volleyball throughput sweep: tasks {SoloBump, 3v3, 6v6} x envs {1, 256, 4096} x threads {1, 2},
// per-rotor thrust actions near hover (float32 observations of 32 / 57 / 78 numbers).
//   node bench/volleyball.js [--write-docs] [--repeat-sec S] [--quick]
// --quick: 4096 envs only. Every trial runs in a fresh `node bench/volleyball-trial.js '<json>'`
// process. Results go to bench/results/volleyball-<date>.json; a markdown table is printed (and
// with --write-docs put between the bench:volleyball markers of docs/benchmarks.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, writeDocsBlock } from './mapf.js';
import { parseSweepArgs, runTrial, si } from './sweep.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET = { task: '3v3', numEnvs: 4096, numThreads: 2, droneStepsPerSec: 10e6 };

function table(results) {
  const rows = ['| task | drones/env | envs | threads | env-steps/s | drone-steps/s | spread (min–max drone-steps/s) |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    const p = r.params;
    if (r.error) { rows.push(`| ${p.task} | | ${p.numEnvs} | ${p.numThreads} | error: ${r.error} | | |`); continue; }
    const used = r.numThreadsUsed !== p.numThreads ? ` (${r.numThreadsUsed} used)` : '';
    const lo = Math.min(...r.repeats) * r.numAgents, hi = Math.max(...r.repeats) * r.numAgents;
    rows.push(`| ${p.task} | ${r.numAgents} | ${p.numEnvs} | ${p.numThreads}${used} | ${si(r.envStepsPerSec)} | **${si(r.droneStepsPerSec)}** | ${si(lo)}–${si(hi)} |`);
  }
  return rows.join('\n');
}

async function main() {
  const opts = parseSweepArgs(process.argv.slice(2));
  if (opts.help) { process.stdout.write('usage: node bench/volleyball.js [--quick] [--write-docs] [--repeat-sec S]\n'); return; }
  const trials = [];
  for (const task of ['SoloBump', '3v3', '6v6'])
    for (const numEnvs of opts.quick ? [4096] : [1, 256, 4096])
      for (const numThreads of [1, 2]) trials.push({ task, numEnvs, numThreads, ...(opts.repeatSec ? { repeatSec: opts.repeatSec } : {}) });
  const started = new Date();
  const results = [];
  for (const [k, params] of trials.entries()) {
    const r = await runTrial(join(here, 'volleyball-trial.js'), params);
    results.push(r);
    process.stderr.write(`[${k + 1}/${trials.length}] ${params.task} envs=${params.numEnvs} threads=${params.numThreads}: ${r.error ? `error: ${r.error}` : `${si(r.droneStepsPerSec)} drone-steps/s`}\n`);
  }
  const machine = machineInfo();
  const date = started.toISOString().slice(0, 10);
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `volleyball-${date}${opts.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'volleyball', started: started.toISOString(), machine, target: TARGET, results }, null, 2)}\n`);
  const t = results.find((r) => !r.error && r.params.task === TARGET.task && r.params.numEnvs === TARGET.numEnvs && r.params.numThreads === TARGET.numThreads);
  const verdict = t ? `- ${TARGET.task}, ${TARGET.numEnvs} envs, ${TARGET.numThreads} threads: ${si(t.droneStepsPerSec)} drone-steps/s (target ≥ ${si(TARGET.droneStepsPerSec)}: ${t.droneStepsPerSec >= TARGET.droneStepsPerSec ? 'met' : 'not met'})` : '';
  const md = `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.gitCommit?.slice(0, 10) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}, ${date}. Actions: per-rotor hover ± 0.05 noise, float32 observations, medians of 5 repeats of ≥ 1 s.\n\n${table(results)}\n\n${verdict}`;
  process.stdout.write(`${md}\n\nwrote ${file}\n`);
  if (opts.writeDocs) writeDocsBlock('volleyball', md);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err) => { process.stderr.write(`bench/volleyball.js: ${err?.message ?? err}\n`); process.exitCode = 2; });
