#!/usr/bin/env node
// Cost of one call across the Node-API boundary, with benchmark.js:
//   node bench/napi-step.js [--write-docs] [--max-time S]
// (a) env.noop(): a native call doing nothing; (b) env.step() on the smallest env (1 env, 1 agent,
// obsRadius 1, a 1x2 map, same-step autoreset, 1 thread); (c) a plain JS function call (baseline:
// what the benchmark loop itself costs per call). Target: (a) ≤ 0.3 µs.
// Writes bench/results/napi-<date>.json and prints a markdown table (with --write-docs also
// between the bench:napi markers of docs/benchmarks.md).
import Benchmark from 'benchmark';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { make } from '../dist/src/index.js';
import { machineInfo, writeDocsBlock } from './mapf.js';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_US = 0.3;

const args = process.argv.slice(2);
const writeDocs = args.includes('--write-docs');
const mt = args.findIndex((a) => a === '--max-time');
const maxTime = mt >= 0 ? Number(args[mt + 1]) : 3;

const env = make('MAPF-v0', {
  numEnvs: 1, numThreads: 1, seed: 1, autoresetMode: 'same-step',
  config: { map: '..', numAgents: 1, obsRadius: 1 },
});
env.reset();
env.actions.fill(0);

let sink = 0;
function plain(x) { sink = (sink + x) | 0; }

const cases = [
  { name: 'env.noop() (native call, no work)', key: 'noop', fn: () => env.noop() },
  { name: 'env.step() (1 env, 1 agent, obsRadius 1, 1x2 map)', key: 'step', fn: () => env.step() },
  { name: 'plain JS function call (baseline)', key: 'js', fn: () => plain(1) },
];
// The addon object under VectorEnv (internal fields, read only here): the call without the two
// JS wrapper layers, to split the cost between the wrappers and the boundary itself.
const batch = env.engine?.batch;
if (batch && typeof batch.noop === 'function') {
  cases.splice(1, 0, { name: 'addon batch.noop() (internal, no JS wrappers)', key: 'rawNoop', fn: () => batch.noop() });
}

const suite = new Benchmark.Suite('napi');
for (const c of cases) suite.add(c.name, c.fn, { maxTime, minSamples: 20 });
const results = [];
suite.on('cycle', (event) => {
  const b = event.target;
  const c = cases.find((x) => x.name === b.name);
  results.push({
    key: c.key, name: b.name, opsPerSec: b.hz, meanUs: b.stats.mean * 1e6, rmePercent: b.stats.rme,
    samples: b.stats.sample.length,
  });
  process.stderr.write(`${String(b)}\n`);
});
suite.run({ async: false });
env.close();

const by = Object.fromEntries(results.map((r) => [r.key, r]));
const boundaryUs = by.noop.meanUs - by.js.meanUs;
const machine = machineInfo();
const date = new Date().toISOString().slice(0, 10);
const rows = [
  '| call | ops/s | mean µs/call | ± (rme) |',
  '|---|---|---|---|',
  ...results.map((r) => `| ${r.name} | ${(r.opsPerSec / 1e6).toFixed(2)}M | ${r.meanUs.toFixed(4)} | ${r.rmePercent.toFixed(1)}% |`),
];
const md = `Machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, commit ${machine.gitCommit?.slice(0, 10) ?? '?'}${machine.gitDirty ? ' (dirty)' : ''}, ${date}.\n\n${rows.join('\n')}\n\n`
  + `- empty native call: ${by.noop.meanUs.toFixed(4)} µs (target ≤ ${TARGET_US} µs: ${by.noop.meanUs <= TARGET_US ? 'met' : 'not met'}); `
  + `${boundaryUs.toFixed(4)} µs above the plain JS call.`;
mkdirSync(join(here, 'results'), { recursive: true });
const file = join(here, 'results', `napi-${date}.json`);
writeFileSync(file, `${JSON.stringify({ benchmark: 'napi-step', started: new Date().toISOString(), machine, targetUs: TARGET_US, maxTime, results, boundaryUs, sink }, null, 2)}\n`);
process.stdout.write(`${md}\n\nwrote ${file}\n`);
if (writeDocs) writeDocsBlock('napi', md);
