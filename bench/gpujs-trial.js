#!/usr/bin/env node
// One gpujs benchmark trial, run in a fresh process by bench/gpujs.js:
//   node bench/gpujs-trial.js '{"env":"mapf","numEnvs":1024}'
// Builds the same batch on the native backend (the baseline, 1 thread) and on the gpujs backend in
// each Node mode: cpu (step), webasm (step), webasm threaded (stepAsync, gpu.js workers) and webasm
// sharded over 2 worker threads (numThreads 2, step). The
// variants are measured round-robin in this one process, so machine noise hits them alike. Each
// round times a run of ≥ repeatSec per variant; only the step calls are timed (actions are chosen
// outside them). Prints one JSON line with the median env-steps/s of each variant.
import { make, CounterRng, RngStream } from '../dist/src/index.js';

const ENVS = {
  mapf: { id: 'MAPF-v0', config: { numAgents: 64, size: 64, density: 0.3, obsRadius: 5 } },
  'mapf-u8': { id: 'MAPF-v0', config: { numAgents: 64, size: 64, density: 0.3, obsRadius: 5, obsDtype: 'uint8' } },
  dispatch: { id: 'RideDispatch-v0', config: {} },
  volleyball: { id: 'Volleyball-3v3-v0', config: {} },
};
const VARIANTS = [
  { name: 'native', backend: 'native', numThreads: 1 },
  { name: 'native-2t', backend: 'native', numThreads: 2 },
  { name: 'gpujs-cpu', backend: 'gpujs', mode: 'cpu' },
  { name: 'gpujs-webasm', backend: 'gpujs', mode: 'webasm' },
  { name: 'gpujs-webasm-threaded', backend: 'gpujs', mode: 'webasm', async: true },
  { name: 'gpujs-webasm-threaded-2w', backend: 'gpujs', mode: 'webasm', async: true, workers: 2 },
  { name: 'gpujs-webasm-2t', backend: 'gpujs', mode: 'webasm', numThreads: 2 },
];
const DEFAULTS = { env: 'mapf', numEnvs: 1024, seed: 1, rounds: 5, repeatSec: 1, warmupSteps: 3 };
const HOVER = 2 * (1.52 * 9.81 / (4 * 6.00318692)) - 1;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => performance.now() / 1000;

/** Writes the next actions into env.actions (outside the timed region). */
function actionChooser(env, seed) {
  const rng = new CounterRng(seed, RngStream.actions);
  const actions = env.actions;
  if (env.id === 'MAPF-v0') return () => { for (let i = 0; i < actions.length; i++) actions[i] = rng.below(5); };
  if (env.id.startsWith('Volleyball-')) return () => { for (let i = 0; i < actions.length; i++) actions[i] = HOVER + 0.1 * (rng.uniform() - 0.5); };
  const nA = env.singleActionSpace.n, K = env.metadata.config.numSlots;
  return (infos) => {
    const mask = infos.actionMask;
    for (let i = 0; i < actions.length; i++) {
      actions[i] = 0;
      if (rng.below(2) === 0) continue;
      const start = rng.below(K);
      for (let j = 0; j < K; j++) {
        const k = (start + j) % K;
        if (mask[i * nA + 1 + k]) { actions[i] = 1 + k; break; }
      }
    }
  };
}

async function main() {
  const p = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
  const spec = ENVS[p.env];
  const runs = VARIANTS.filter((v) => !p.variants || p.variants.includes(v.name)).map((v) => {
    const env = make(spec.id, {
      numEnvs: p.numEnvs, seed: p.seed, backend: v.backend, numThreads: v.numThreads ?? 1, config: spec.config,
      ...(v.mode ? { gpujs: { mode: v.mode, ...(v.workers ? { workers: v.workers } : {}) } } : {}),
    });
    const infos = env.reset().infos;
    return { v, env, infos, choose: actionChooser(env, p.seed), rates: [], perStep: 0 };
  });
  const step = async (r) => {
    r.choose(r.infos);
    const t0 = now();
    if (r.v.async) await r.env.stepAsync(); else r.env.step();
    return now() - t0;
  };
  for (const r of runs) {
    let t = 0;
    for (let s = 0; s < p.warmupSteps; s++) t = await step(r);
    r.perStep = Math.max(t, 1e-5);
  }
  for (let round = 0; round < p.rounds; round++) {
    for (const r of runs) {
      const n = Math.max(2, Math.ceil(p.repeatSec / r.perStep));
      let inStep = 0;
      for (let s = 0; s < n; s++) inStep += await step(r);
      r.perStep = inStep / n;
      r.rates.push((n * p.numEnvs) / inStep);
    }
  }
  const baseline = median(runs[0].rates);
  const out = {
    params: p, id: spec.id, numAgents: runs[0].env.numAgents,
    dtype: spec.config.obsDtype ?? 'float32',
    variants: runs.map((r) => ({
      name: r.v.name, backend: r.v.backend, mode: r.env.metadata.gpujs?.mode ?? null, async: Boolean(r.v.async),
      threads: r.v.backend === 'native' || r.env.metadata.numThreads > 1 ? r.env.metadata.numThreads : r.v.async ? `1 + ${r.env.metadata.gpujs.workers} gpu.js worker(s)` : 1,
      envStepsPerSec: median(r.rates), agentStepsPerSec: median(r.rates) * r.env.numAgents,
      vsNative1t: median(r.rates) / baseline, rounds: r.rates,
    })),
  };
  for (const r of runs) r.env.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

main();
