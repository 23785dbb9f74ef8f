// One scripted run of an env, identical in Node and in the browser page: the same seed, the same
// actions (from the library's own policies and counter RNG), and a digest of every output of every
// step. The parity test runs it on the native backend in Node and on gpu.js modes in Chromium, and
// compares the digests. `lib` is the library module: dist/src/index.js in Node, the bundle in a page.

/** Scenarios the page and the test know, by name. */
export const SCENARIOS = {
  mapf: {
    id: 'MAPF-v0', numEnvs: 4, steps: 40, policy: 'random',
    config: { numAgents: 8, mapName: 'mapf-default-16', obsRadius: 3, collisionSystem: 'priority', onTarget: 'restart', maxEpisodeSteps: 24 },
  },
  'mapf-soft': {
    id: 'MAPF-v0', numEnvs: 2, steps: 30, policy: 'random',
    config: { numAgents: 12, mapName: 'mapf-default-16', obsRadius: 2, collisionSystem: 'soft', onTarget: 'finish', obsDtype: 'uint8' },
  },
  dispatch: {
    id: 'RideDispatch-v0', numEnvs: 2, steps: 30, policy: 'random',
    config: { numVehicles: 6, numSlots: 8, horizonSteps: 25, capacity: 2, pairInsertionCost: true },
  },
  volleyball: {
    id: 'Volleyball-SoloBump-v0', numEnvs: 2, steps: 30, policy: 'scripted', config: {},
  },
};

/** FNV-1a over the bytes of typed arrays, as an unsigned 32-bit number. */
export function fnv1a(arrays, h = 0x811c9dc5) {
  for (const a of arrays) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function sum(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function makePolicy(lib, env, name, seed) {
  if (env.id === 'MAPF-v0') {
    const rng = new lib.CounterRng(seed >>> 0, lib.RngStream.actions);
    const actions = env.actions;
    return () => { for (let i = 0; i < actions.length; i++) actions[i] = rng.below(5); };
  }
  if (env.id === 'RideDispatch-v0') {
    const p = lib.makeDispatchPolicy(name, env, seed);
    return (obs, infos) => p(obs, infos);
  }
  const p = lib.makeVolleyballPolicy(name, env, seed);
  return (obs, infos) => p(infos, obs);
}

/**
 * Runs scenario `name` with `makeOptions` (backend, gpujs options) and returns per-step digests
 * (exact) and sums (for float tolerances), plus what the env reported about its backend.
 * `useAsync` steps with `stepAsync()`.
 */
export async function runScenario(lib, name, makeOptions, { useAsync = false, seed = 7 } = {}) {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown scenario ${name}`);
  const env = lib.make(s.id, { numEnvs: s.numEnvs, seed, autoresetMode: 'same-step', config: s.config, ...makeOptions });
  try {
    const policy = makePolicy(lib, env, s.policy, seed);
    const r = env.reset();
    const record = (out, extra) => ({
      hash: fnv1a([out.obs, ...extra, out.infos.agentMask]).toString(16),
      obsSum: sum(out.obs),
      rewardSum: extra.length ? sum(extra[0]) : 0,
    });
    const steps = [record(r, [])];
    let obs = r.obs;
    let infos = r.infos;
    for (let t = 0; t < s.steps; t++) {
      policy(obs, infos);
      const out = useAsync ? await env.stepAsync() : env.step();
      steps.push(record(out, [out.rewards, out.terminations, out.truncations]));
      obs = out.obs;
      infos = out.infos;
    }
    return {
      id: s.id, backend: env.metadata.backend, gpujs: env.metadata.gpujs ?? null, steps, obsLength: obs.length, agents: env.numEnvs * env.numAgents,
      finalObs: Array.from(obs.subarray(0, 64)),
    };
  } finally {
    env.close();
  }
}
