// The page: runs one scenario on the gpujs backend, draws env 0 and publishes the results.
import * as lib from '../dist/browser/manyworlds.js';
import { SCENARIOS, runScenario } from './scenario.js';

const q = new URLSearchParams(location.search);
const name = q.get('scenario') ?? 'mapf';
const mode = q.get('mode') ?? 'auto';
const status = document.getElementById('status');
const out = document.getElementById('out');

function draw(scenario) {
  const s = SCENARIOS[scenario];
  const view = document.getElementById('view');
  const frames = [];
  if (s.id === 'MAPF-v0') {
    const env = lib.make(s.id, { numEnvs: 1, seed: 7, backend: 'gpujs', autoresetMode: 'next-step', config: s.config, gpujs: { mode, allowSoftwareGpu: true } });
    const A = env.numAgents;
    const rng = new lib.CounterRng(7, lib.RngStream.actions);
    const r = env.reset();
    const frame = () => ({ positions: r.infos.positions.slice(0, 2 * A), goals: r.infos.goals.slice(0, 2 * A), active: r.infos.agentMask.slice(0, A) });
    frames.push(frame());
    for (let t = 0; t < s.steps; t++) {
      for (let i = 0; i < A; i++) env.actions[i] = rng.below(5);
      env.step();
      frames.push(frame());
    }
    env.close();
    view.innerHTML = lib.renderSvg(lib.maps.namedMap(s.config.mapName), frames, { title: 'MAPF-v0 on gpu.js' });
  } else if (s.id === 'RideDispatch-v0') {
    const env = lib.make(s.id, { numEnvs: 1, seed: 7, backend: 'gpujs', autoresetMode: 'next-step', config: s.config, gpujs: { mode, allowSoftwareGpu: true } });
    const policy = lib.makeDispatchPolicy('random', env, 7);
    view.innerHTML = lib.renderDispatchSvg(lib.collectDispatchFrames(env, 0, s.steps, policy), { city: env.metadata.city, title: 'RideDispatch-v0 on gpu.js' });
    env.close();
  } else {
    const env = lib.make(s.id, { numEnvs: 1, seed: 7, backend: 'gpujs', autoresetMode: 'next-step', config: s.config, gpujs: { mode, allowSoftwareGpu: true } });
    const frames = lib.collectVolleyballFrames(env, 0, s.steps, lib.makeVolleyballPolicy('scripted', env, 7));
    view.innerHTML = lib.renderVolleyballSvg(frames, { court: env.metadata.config.court, teams: env.metadata.teams, title: `${s.id} on gpu.js` });
    env.close();
  }
}

async function main() {
  await lib.prepareGpujs();
  const gpujs = { mode, allowSoftwareGpu: q.get('allowSoftwareGpu') === '1' };
  const t0 = performance.now();
  const result = await runScenario(lib, name, { backend: 'gpujs', gpujs }, { useAsync: q.get('async') !== '0' });
  const ms = performance.now() - t0;
  status.textContent = `${result.id}: ${result.steps.length - 1} steps in ${ms.toFixed(0)} ms on gpu.js mode ${result.gpujs.mode}` +
    ` (${result.gpujs.adapter ?? 'no adapter'}); skipped: ${result.gpujs.skipped.map((s) => `${s.mode} (${s.reason})`).join(', ')}`;
  try {
    draw(name);
  } catch (err) {
    result.drawError = String(err && err.message);
  }
  result.crossOriginIsolated = globalThis.crossOriginIsolated === true;
  out.textContent = JSON.stringify(result);
}

main().catch((err) => {
  out.textContent = JSON.stringify({ error: String(err && err.stack || err), code: err && err.code });
}).finally(() => { document.title = 'done'; });
