#!/usr/bin/env node
// RideDispatch-v0 throughput sweep at the default preset: envs {1, 256, 4096} x threads {1, 2} x
// pair block {off, on}.
//   node bench/dispatch.js [--quick] [--write-docs] [--repeat-sec S]
// --quick: 4096 envs only. Each trial runs in a fresh `node bench/dispatch-trial.js '<json>'`
// process; results go to bench/results/dispatch-<date>.json and, with --write-docs, between the
// bench:dispatch markers of docs/benchmarks.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo, writeDocsBlock } from './mapf.js';
import { parseSweepArgs, runTrial, si } from './sweep.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET = { numEnvs: 4096, numThreads: 2, vehicleStepsPerSec: 5e6 };

function table(results) {
  const rows = ['| envs | threads | pair block | obs floats/vehicle | env-steps/s | vehicle-steps/s | spread (min–max vehicle-steps/s) |', '|---|---|---|---|---|---|---|'];
  for (const r of results) {
    const p = r.params;
    if (r.error) { rows.push(`| ${p.numEnvs} | ${p.numThreads} | ${p.pairInsertionCost ? 'on' : 'off'} | | error: ${r.error} | | |`); continue; }
    const used = r.numThreadsUsed !== p.numThreads ? ` (${r.numThreadsUsed} used)` : '';
    const lo = Math.min(...r.repeats) * r.numAgents, hi = Math.max(...r.repeats) * r.numAgents;
    rows.push(`| ${p.numEnvs} | ${p.numThreads}${used} | ${p.pairInsertionCost ? 'on' : 'off'} | ${r.obsSize} | ${si(r.envStepsPerSec)} | **${si(r.vehicleStepsPerSec)}** | ${si(lo)}–${si(hi)} |`);
  }
  return rows.join('\n');
}

async function main() {
  const opts = parseSweepArgs(process.argv.slice(2));
  if (opts.help) { process.stdout.write('usage: node bench/dispatch.js [--quick] [--write-docs] [--repeat-sec S]\n'); return; }
  const trials = [];
  for (const pairInsertionCost of [false, true])
    for (const numEnvs of opts.quick ? [4096] : [1, 256, 4096])
      for (const numThreads of [1, 2]) trials.push({ numEnvs, numThreads, pairInsertionCost, ...(opts.repeatSec ? { repeatSec: opts.repeatSec } : {}) });
  const started = new Date();
  const results = [];
  for (const [k, params] of trials.entries()) {
    const r = await runTrial(join(here, 'dispatch-trial.js'), params);
    results.push(r);
    process.stderr.write(`[${k + 1}/${trials.length}] envs=${params.numEnvs} threads=${params.numThreads} pair=${params.pairInsertionCost}: ${r.error ? `error: ${r.error}` : `${si(r.vehicleStepsPerSec)} vehicle-steps/s`}\n`);
  }
  const machine = machineInfo();
  const date = started.toISOString().slice(0, 10);
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `dispatch-${date}${opts.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'dispatch', started: started.toISOString(), machine, target: TARGET, results }, null, 2)}\n`);
  const t = results.find((r) => !r.error && r.params.numEnvs === TARGET.numEnvs && r.params.numThreads === TARGET.numThreads && !r.params.pairInsertionCost);
  const verdict = t ? `- ${TARGET.numEnvs} envs, ${TARGET.numThreads} threads, no pair block: ${si(t.vehicleStepsPerSec)} vehicle-steps/s (target ≥ ${si(TARGET.vehicleStepsPerSec)}: ${t.vehicleStepsPerSec >= TARGET.vehicleStepsPerSec ? 'met' : 'not met'})` : '';
  const md = `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.gitCommit?.slice(0, 10) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}, ${date}. Default preset (V 32, K 32, C 3, 8×8 grid, R 4), each vehicle bidding on a random valid order slot half the time (no-op otherwise), chosen outside the timed region, medians of 5 repeats of ≥ 1 s of step() time.\n\n${table(results)}\n\n${verdict}`;
  process.stdout.write(`${md}\n\nwrote ${file}\n`);
  if (opts.writeDocs) writeDocsBlock('dispatch', md);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main().catch((err) => { process.stderr.write(`bench/dispatch.js: ${err?.message ?? err}\n`); process.exitCode = 2; });
