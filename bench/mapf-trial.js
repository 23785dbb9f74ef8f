#!/usr/bin/env node
// One MAPF-v0 benchmark trial, run in a fresh process by bench/mapf.js:
//   node bench/mapf-trial.js '{"numEnvs":1024,"numThreads":2,"collisionSystem":"priority","obsDtype":"float32"}'
// Prints one JSON line: env-steps/s and agent-steps/s (median of R repeats, and every repeat), and
// the memory-write bound for the same bytes measured in this process with TypedArray#fill: one
// fill sample right after each step repeat, so that both see the same phase of a machine whose
// memory bandwidth drifts.
import { Worker } from 'node:worker_threads';
import { make, CounterRng, RngStream } from '../dist/src/index.js';

const DEFAULTS = {
  numEnvs: 1024, numThreads: 2, numAgents: 64, size: 64, density: 0.3, obsRadius: 5,
  collisionSystem: 'priority', obsDtype: 'float32', seed: 1,
  batches: 8, warmupSec: 0.3, repeatSec: 1, repeats: 5, minSteps: 3, fillSec: 0.25,
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => performance.now() / 1000;

/** Bytes the env writes on every step: obs, rewards, flags and the per-step infos. */
function bytesPerStep(env) {
  const r = env.step(); // the step result's views: what every step() rewrites
  const i = r.infos;
  const arrays = [r.obs, r.rewards, r.terminations, r.truncations, i.agentMask, i.positions, i.goals, i.episode.done];
  return arrays.reduce((sum, a) => sum + a.byteLength, 0);
}

/**
 * Times env.step() with precomputed action batches; `afterRepeat()` runs after each timed repeat
 * (the paired fill sample) and its result is kept with the repeat.
 */
async function timeSteps(env, p, afterRepeat) {
  const rng = new CounterRng(p.seed, RngStream.actions);
  const batches = Array.from({ length: p.batches }, () => {
    const b = new Int32Array(env.actions.length);
    for (let i = 0; i < b.length; i++) b[i] = rng.below(5);
    return b;
  });
  let k = 0;
  const run = (n) => {
    for (let s = 0; s < n; s++) {
      env.actions.set(batches[k]);
      k = (k + 1) % batches.length;
      env.step();
    }
  };
  let warmSteps = 0;
  const w0 = now();
  while (now() - w0 < p.warmupSec || warmSteps < p.minSteps) { run(1); warmSteps++; }
  const perStep = (now() - w0) / warmSteps;
  const n = Math.max(p.minSteps, Math.ceil(p.repeatSec / perStep));
  const repeats = [];
  for (let r = 0; r < p.repeats; r++) {
    const t0 = now();
    run(n);
    const dt = now() - t0;
    repeats.push({ steps: n, seconds: dt, envStepsPerSec: (n * env.numEnvs) / dt, fillBytesPerSec: await afterRepeat() });
  }
  return { stepsPerRepeat: n, repeats };
}

/**
 * A `fill` of `bytes` bytes on one thread: `sample()` returns bytes/s over `iters` fills, `iters`
 * calibrated so that a sample lasts about `sec` seconds.
 */
function oneThreadFiller(bytes, sec) {
  const buf = new Uint8Array(bytes);
  buf.fill(1); // page in
  const fills = (iters) => {
    const t0 = now();
    for (let i = 0; i < iters; i++) buf.fill(i & 1 ? 1 : 2);
    return now() - t0;
  };
  let iters = 1;
  while (fills(iters) < sec / 4) iters *= 2;
  iters *= 4;
  return { iters, sample: async () => (bytes * iters) / fills(iters), close: async () => {} };
}

// Each worker fills its own (non-shared) part: V8's fill on a SharedArrayBuffer takes a slow
// relaxed-atomic path (~3x slower here), which would understate the bound. Start and finish are
// synchronised on a small SharedArrayBuffer with Atomics.
const WORKER_SRC = `
const { workerData } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.ctrl);
const buf = new Uint8Array(workerData.bytes);
buf.fill(1);
Atomics.add(ctrl, 1, 1); Atomics.notify(ctrl, 1);
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, gen);
  gen = Atomics.load(ctrl, 0);
  if (gen < 0) break;
  const iters = Atomics.load(ctrl, 2);
  for (let i = 0; i < iters; i++) buf.fill(i & 1 ? 1 : 2);
  Atomics.add(ctrl, 1, 1); Atomics.notify(ctrl, 1);
}`;

/**
 * `threads` workers filling `bytes / threads` each at the same time; `sample()` returns their
 * combined bytes/s over `iters` fills each, `iters` calibrated to about `sec` seconds.
 */
function workerFiller(bytes, threads, sec) {
  const ctrl = new Int32Array(new SharedArrayBuffer(16));
  const part = Math.ceil(bytes / threads);
  const workers = Array.from({ length: threads }, () => new Worker(WORKER_SRC, { eval: true, workerData: { ctrl: ctrl.buffer, bytes: part } }));
  const waitDone = () => {
    let v;
    while ((v = Atomics.load(ctrl, 1)) < threads) Atomics.wait(ctrl, 1, v, 1000);
  };
  const round = (iters) => {
    Atomics.store(ctrl, 1, 0);
    Atomics.store(ctrl, 2, iters);
    const t0 = now();
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
    waitDone();
    return now() - t0;
  };
  waitDone(); // workers allocated and paged in
  let iters = 1;
  while (round(iters) < sec / 4) iters *= 2;
  iters *= 4;
  return {
    iters,
    sample: async () => (part * threads * iters) / round(iters),
    close: async () => {
      Atomics.store(ctrl, 0, -1);
      Atomics.notify(ctrl, 0);
      await Promise.all(workers.map((w) => new Promise((res) => w.once('exit', res))));
    },
  };
}

async function main() {
  const p = { ...DEFAULTS, ...JSON.parse(process.argv[2] ?? '{}') };
  const t0 = now();
  const env = make('MAPF-v0', {
    numEnvs: p.numEnvs, numThreads: p.numThreads, seed: p.seed,
    config: { numAgents: p.numAgents, size: p.size, density: p.density, obsRadius: p.obsRadius, collisionSystem: p.collisionSystem, obsDtype: p.obsDtype },
  });
  const makeSec = now() - t0;
  env.reset();
  const bytes = bytesPerStep(env);
  const threads = env.metadata.numThreads;
  const filler = threads === 1 ? oneThreadFiller(bytes, p.fillSec) : workerFiller(bytes, threads, p.fillSec);
  let timing;
  try {
    timing = await timeSteps(env, p, filler.sample);
  } finally {
    env.close();
    await filler.close();
  }
  const samples = timing.repeats.map((x) => x.fillBytesPerSec);
  const fill = { bytesPerSec: median(samples), samples, iters: filler.iters };
  const envStepsPerSec = median(timing.repeats.map((x) => x.envStepsPerSec));
  const writeBoundStepsPerSec = fill.bytesPerSec / bytes; // batched step() calls per second
  const writeBoundEnvStepsPerSec = writeBoundStepsPerSec * p.numEnvs;
  process.stdout.write(`${JSON.stringify({
    params: p, backend: env.metadata.backend, numThreadsUsed: threads, makeSec,
    envStepsPerSec, agentStepsPerSec: envStepsPerSec * p.numAgents,
    stepsPerRepeat: timing.stepsPerRepeat, repeats: timing.repeats.map((x) => x.envStepsPerSec),
    fractionPerRepeat: timing.repeats.map((x) => (x.envStepsPerSec * bytes) / (p.numEnvs * x.fillBytesPerSec)),
    bytesPerStep: bytes, fill, writeBoundStepsPerSec, writeBoundEnvStepsPerSec,
    fractionOfBound: envStepsPerSec / writeBoundEnvStepsPerSec,
  })}\n`);
}

main().catch((err) => {
  process.stderr.write(`trial failed: ${err?.stack ?? err}\n`);
  process.exitCode = 1;
});
