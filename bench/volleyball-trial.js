#!/usr/bin/env node
// One volleyball benchmark trial, run in a fresh process by bench/volleyball.js:
//   node bench/volleyball-trial.js '{"task":"3v3","numEnvs":4096,"numThreads":2}'
// Actions: per-rotor hover commands plus uniform noise of ±0.05 (drones stay airborne and rallies
// run their course), precomputed in a few batches so the timing covers step() alone. Prints one
// JSON line: env-steps/s and drone-steps/s (median of the repeats, and every repeat).
import { make, CounterRng, RngStream } from '../dist/src/index.js';

const DEFAULTS = { task: '3v3', numEnvs: 4096, numThreads: 2, seed: 1, batches: 8, warmupSec: 0.3, repeatSec: 1, repeats: 5, minSteps: 3 };
const HOVER = 2 * (1.52 * 9.81 / (4 * 6.00318692)) - 1;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => performance.now() / 1000;

function main() {
  const p = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
  const env = make(`Volleyball-${p.task}-v0`, { numEnvs: p.numEnvs, numThreads: p.numThreads, seed: p.seed });
  env.reset();
  const rng = new CounterRng(p.seed, RngStream.actions);
  const batches = Array.from({ length: p.batches }, () => {
    const b = new Float32Array(env.actions.length);
    for (let i = 0; i < b.length; i++) b[i] = HOVER + 0.1 * (rng.uniform() - 0.5);
    return b;
  });
  let k = 0, episodes = 0;
  const done = env.step().infos.episode.done;
  const run = (n) => {
    for (let s = 0; s < n; s++) {
      env.actions.set(batches[k]);
      k = (k + 1) % batches.length;
      env.step();
    }
  };
  let warm = 0;
  const w0 = now();
  while (now() - w0 < p.warmupSec || warm < p.minSteps) { run(1); warm++; }
  const perStep = (now() - w0) / warm;
  const n = Math.max(p.minSteps, Math.ceil(p.repeatSec / perStep));
  const repeats = [];
  for (let r = 0; r < p.repeats; r++) {
    const t0 = now();
    run(n);
    repeats.push((n * env.numEnvs) / (now() - t0));
  }
  for (let e = 0; e < done.length; e++) episodes += done[e];
  const envStepsPerSec = median(repeats);
  const out = {
    params: p, numAgents: env.numAgents, numThreadsUsed: env.metadata.numThreads, stepsPerRepeat: n,
    envStepsPerSec, droneStepsPerSec: envStepsPerSec * env.numAgents, repeats, dtype: 'float32',
  };
  env.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
