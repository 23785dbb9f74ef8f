#!/usr/bin/env node
// The gpujs backend's step rates in Node, each env in a fresh process with the native backend
// measured in the same process as the baseline (bench/gpujs-trial.js):
//   node bench/gpujs.js [--write-docs] [--repeat-sec S] [--quick]
// Results go to bench/results/gpujs-<date>.json; a markdown table is printed (and with --write-docs
// put between the bench:gpujs markers of docs/benchmarks.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSweepArgs, runTrial, si } from './sweep.js';
import { machineInfo, writeDocsBlock } from './mapf.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The target: MAPF-v0, 64x64, 64 agents, r 5, 1024 envs, without the addon. */
const TARGET = { env: 'mapf', numEnvs: 1024, agentStepsPerSec: 2e6 };
const TRIALS = [
  { env: 'mapf', numEnvs: 1024 },
  { env: 'mapf-u8', numEnvs: 1024 },
  // The threaded executor (numThreads > 1) is MAPF-only so far: no 2-thread gpujs variant here.
  { env: 'dispatch', numEnvs: 1024, variants: ['native', 'native-2t', 'gpujs-cpu', 'gpujs-webasm', 'gpujs-webasm-threaded', 'gpujs-webasm-threaded-2w'] },
  { env: 'volleyball', numEnvs: 1024, variants: ['native', 'native-2t', 'gpujs-cpu', 'gpujs-webasm', 'gpujs-webasm-threaded', 'gpujs-webasm-threaded-2w'] },
];

function table(results) {
  const rows = ['| env | envs | obs | variant | threads | env-steps/s | agent-steps/s | × native 1 thread |', '|---|---|---|---|---|---|---|---|'];
  for (const r of results) {
    if (r.error) { rows.push(`| ${r.params.env} | ${r.params.numEnvs} | | error: ${r.error} | | | | |`); continue; }
    for (const v of r.variants) {
      rows.push(`| ${r.id} | ${r.params.numEnvs} | ${r.dtype} | ${v.name} | ${v.threads} | ${si(v.envStepsPerSec)} | **${si(v.agentStepsPerSec)}** | ${v.vsNative1t.toFixed(3)} |`);
    }
  }
  return rows.join('\n');
}

async function main() {
  const opts = parseSweepArgs(process.argv.slice(2));
  if (opts.help) { process.stdout.write('usage: node bench/gpujs.js [--quick] [--write-docs] [--repeat-sec S]\n'); return; }
  const started = new Date();
  const machine = machineInfo();
  const results = [];
  for (const t of opts.quick ? TRIALS.slice(0, 1) : TRIALS) {
    const params = { ...t, ...(opts.repeatSec ? { repeatSec: opts.repeatSec } : {}) };
    process.stderr.write(`gpujs bench: ${JSON.stringify(params)}\n`);
    results.push(await runTrial(join(here, 'gpujs-trial.js'), params));
  }
  const date = started.toISOString().slice(0, 10);
  mkdirSync(join(here, 'results'), { recursive: true });
  const file = join(here, 'results', `gpujs-${date}${opts.quick ? '-quick' : ''}.json`);
  writeFileSync(file, `${JSON.stringify({ benchmark: 'gpujs', started: started.toISOString(), machine, target: TARGET, results }, null, 2)}\n`);
  const m = results.find((r) => !r.error && r.params.env === TARGET.env && r.params.numEnvs === TARGET.numEnvs);
  const best = m ? Math.max(...m.variants.filter((v) => v.backend === 'gpujs').map((v) => v.agentStepsPerSec)) : NaN;
  const u8 = results.find((r) => !r.error && r.params.env === 'mapf-u8');
  const bestU8 = u8 ? Math.max(...u8.variants.filter((v) => v.backend === 'gpujs').map((v) => v.agentStepsPerSec)) : NaN;
  const verdict = `Target (MAPF-v0 64×64, 64 agents, r 5, 1024 envs, without the addon): ≥ ${si(TARGET.agentStepsPerSec)} agent-steps/s. ` +
    `Best gpujs variant: float32 ${Number.isFinite(best) ? si(best) : 'n/a'} (${best >= TARGET.agentStepsPerSec ? 'met' : 'not met'}), ` +
    `uint8 ${Number.isFinite(bestU8) ? si(bestU8) : 'n/a'} (${bestU8 >= TARGET.agentStepsPerSec ? 'met' : 'not met'}).`;
  const md = `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.gitCommit?.slice(0, 10) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}, ${date}. ` +
    `Each env in its own process; variants measured round-robin in that process, medians of 5 rounds of ≥ 1 s (step calls only).\n\n${table(results)}\n\n${verdict}`;
  process.stdout.write(`${md}\n\nwrote ${file}\n`);
  if (opts.writeDocs) writeDocsBlock('gpujs', md);
  if (results.some((r) => r.error)) process.exitCode = 1;
}

main();
