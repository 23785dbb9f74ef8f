#!/usr/bin/env node
// One RideDispatch-v0 benchmark trial, run in a fresh process by bench/dispatch.js:
//   node bench/dispatch-trial.js '{"numEnvs":4096,"numThreads":2,"pairInsertionCost":false}'
// Default preset (8x8 grid city, V 32, K 32, C 3, R 4, 60-step episodes). Between steps each
// vehicle, half of the time, bids on the first valid slot of its action mask at or after a random
// start slot (no-op otherwise), chosen outside the timed region: the timing covers step() alone. Prints one JSON
// line: env-steps/s and vehicle-steps/s (median of the repeats, and every repeat).
import { make, CounterRng, RngStream } from '../dist/src/index.js';

const DEFAULTS = { numEnvs: 4096, numThreads: 2, pairInsertionCost: false, seed: 1, warmupSteps: 20, repeatSec: 1, repeats: 5 };
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => performance.now() / 1000;

function main() {
  const p = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
  const env = make('RideDispatch-v0', { numEnvs: p.numEnvs, numThreads: p.numThreads, seed: p.seed, config: { pairInsertionCost: p.pairInsertionCost } });
  const { infos } = env.reset();
  const rng = new CounterRng(p.seed, RngStream.actions);
  const nA = env.singleActionSpace.n, K = env.metadata.config.numSlots;
  const mask = infos.actionMask, actions = env.actions;
  const choose = () => {
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
  for (let s = 0; s < p.warmupSteps; s++) { choose(); env.step(); }
  let t0 = now();
  choose(); env.step();
  const perStep = Math.max(now() - t0, 1e-4);
  const n = Math.max(3, Math.ceil(p.repeatSec / perStep));
  const repeats = [];
  for (let r = 0; r < p.repeats; r++) {
    let inStep = 0;
    for (let s = 0; s < n; s++) {
      choose();
      t0 = now();
      env.step();
      inStep += now() - t0;
    }
    repeats.push((n * env.numEnvs) / inStep);
  }
  const envStepsPerSec = median(repeats);
  const out = {
    params: p, numAgents: env.numAgents, numThreadsUsed: env.metadata.numThreads, stepsPerRepeat: n, obsSize: env.obsSize,
    envStepsPerSec, vehicleStepsPerSec: envStepsPerSec * env.numAgents, repeats,
  };
  env.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main();
