#!/usr/bin/env node
// Step rates of the cuda backend (issue 6): agent-steps/s of MAPF-v0 (uint8 observations),
// Volleyball-3v3-v0 and RideDispatch-v0 at 4096..65536 envs, two ways:
//   step     env.step(): actions in, every output copied back to the host buffers each step;
//   rollout  env.rollout(T): T steps on the device, only per-step rewards/flags and the final
//            outputs copied back (the device-resident rate).
//   node bench/cuda.js [--envs 4096,16384,65536] [--steps 64] [--json]
// Writes bench/results/cuda-<date>.json. Needs a CUDA GPU: elsewhere it prints why and exits 0.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableBackends, make, CounterRng, RngStream } from '../dist/src/index.js';

function parse(argv) {
  const o = { envs: [4096, 16384, 65536], steps: 64, json: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--envs') o.envs = argv[++i].split(',').map(Number);
    else if (argv[i] === '--steps') o.steps = Number(argv[++i]);
    else if (argv[i] === '--json') o.json = true;
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const TRIALS = [
  { id: 'MAPF-v0', config: { numAgents: 64, size: 64, density: 0.3, obsRadius: 5, obsDtype: 'uint8' } },
  { id: 'Volleyball-3v3-v0', config: {} },
  { id: 'RideDispatch-v0', config: {} },
];

const now = () => performance.now() / 1000;

/** Actions for `steps` steps: four batches drawn from the env's action space, repeated. */
function actionsFor(env, steps) {
  const rng = new CounterRng(1, RngStream.actions);
  const n = env.actions.length;
  const batches = Array.from({ length: 4 }, () => env.actionSpace.sample(rng));
  const out = new env.actions.constructor(steps * n);
  for (let t = 0; t < steps; t++) out.set(batches[t % 4], t * n);
  return out;
}

function measure(trial, numEnvs, steps) {
  const env = make(trial.id, { numEnvs, seed: 1, backend: 'cuda', config: trial.config });
  env.reset();
  const actions = actionsFor(env, steps), n = env.actions.length;
  const agentSteps = steps * numEnvs * env.numAgents;
  env.rollout(Math.min(steps, 8), actions.subarray(0, Math.min(steps, 8) * n)); // warm-up
  let t0 = now();
  for (let t = 0; t < steps; t++) env.step(actions.subarray(t * n, (t + 1) * n));
  const stepRate = agentSteps / (now() - t0);
  t0 = now();
  env.rollout(steps, actions);
  const rolloutRate = agentSteps / (now() - t0);
  env.close();
  return { id: trial.id, numEnvs, agents: env.numAgents, steps, stepAgentStepsPerSec: stepRate, rolloutAgentStepsPerSec: rolloutRate };
}

const opts = parse(process.argv.slice(2));
const cuda = availableBackends().find((b) => b.name === 'cuda');
if (!cuda.available) {
  process.stdout.write(`cuda backend unavailable here: ${cuda.reason}\n`);
  process.exit(0);
}
const rows = [];
for (const trial of TRIALS) for (const e of opts.envs) rows.push(measure(trial, e, opts.steps));
const fmt = (x) => (x >= 1e9 ? `${(x / 1e9).toFixed(2)}G` : `${(x / 1e6).toFixed(1)}M`);
if (opts.json) process.stdout.write(JSON.stringify(rows) + '\n');
else {
  process.stdout.write(`${cuda.reason}\n| env | envs | agents | step (host copies) | rollout (device) |\n|---|---|---|---|---|\n`);
  for (const r of rows) process.stdout.write(`| ${r.id} | ${r.numEnvs} | ${r.agents} | ${fmt(r.stepAgentStepsPerSec)} | ${fmt(r.rolloutAgentStepsPerSec)} |\n`);
}
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/cuda-${new Date().toISOString().slice(0, 10)}.json`, import.meta.url);
writeFileSync(file, JSON.stringify({ device: cuda.reason, rows }, null, 2) + '\n');
