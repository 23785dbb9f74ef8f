/**
 * The cuda backend. Everywhere: it is listed with a reason, an explicit request for it fails with
 * BackendUnavailableError carrying that reason when it cannot run, 'auto' falls through to native,
 * and VectorEnv.rollout() (one call on cuda, a loop elsewhere) equals stepping one step at a time.
 * On a machine with a CUDA GPU (skipped elsewhere, with the reason in the suite's title): parity
 * with the CPU backend — bit-identical for MAPF-v0 and RideDispatch-v0, within the tolerance of
 * docs/cuda.md for volleyball — for step(), stepAsync(), masked resets and rollout(), and bad
 * input to rollout(). The API, bad-input, buffer-safety and conformance-trace suites iterate over
 * every available backend, so they run on cuda too where it is available.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError, CounterRng, EnvClosedError, InvalidActionError, InvalidArgumentError, InvalidConfigError, ResetNeededError, availableBackends,
  make, type BackendName, type MakeOptions, type VectorEnv,
} from '../../src/index.js';
import { loadCudaAddon } from '../../src/backends/cuda/load.js';
import { outputArrays, sampleActions } from '../helpers/conformance.js';

const reports = availableBackends();
const cuda = reports.find((r) => r.name === 'cuda')!;
const nativeAvailable = reports.some((r) => r.name === 'native' && r.available);
const cudaAvailable = cuda.available && nativeAvailable;
const gpuSuite = cudaAvailable ? 'on the GPU' : `skipped: needs a CUDA GPU and the native addon (cuda: ${cuda.reason})`;

const MAPF = { numAgents: 12, size: 16, obsRadius: 3, maxEpisodeSteps: 40 };
const DISPATCH = { numVehicles: 6, numSlots: 8, gridWidth: 4, gridHeight: 4, horizonSteps: 30 };

function mk(id: string, backend: BackendName, opts: Omit<MakeOptions<unknown>, 'backend'> = {}): VectorEnv {
  return make(id, { numEnvs: 5, seed: 3, numThreads: 2, autoresetMode: 'same-step', ...opts, backend } as MakeOptions<unknown>);
}

/** Every meaningful output array as raw bytes. */
function bytesOf(env: VectorEnv, r: Parameters<typeof outputArrays>[1]): Map<string, Buffer> {
  return new Map(outputArrays(env, r).map(([k, v]) => [k, Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))]));
}

/** The last step's outputs of a rollout, shaped like a step result. */
function lastStep(env: VectorEnv, r: ReturnType<VectorEnv['rollout']>): Parameters<typeof outputArrays>[1] {
  const ea = env.numEnvs * env.numAgents, at = (r.steps - 1) * ea;
  return {
    obs: r.obs, infos: r.infos, rewards: r.rewards.subarray(at), terminations: r.terminations.subarray(at),
    truncations: r.truncations.subarray(at),
  };
}

function expectBitIdentical(a: Map<string, Buffer>, b: Map<string, Buffer>, where: string): void {
  expect([...b.keys()], where).toEqual([...a.keys()]);
  for (const [k, v] of a) expect(v.equals(b.get(k)!), `${where}: ${k} differs`).toBe(true);
}

describe('cuda backend: availability', () => {
  it('availableBackends() lists cuda for every env family, with a reason', () => {
    expect(cuda).toBeDefined();
    expect(typeof cuda.reason).toBe('string');
    expect(cuda.reason!.length).toBeGreaterThan(0);
    for (const id of ['MAPF-v0', 'RideDispatch-v0', 'Volleyball-3v3-v0', 'Volleyball-SoloBump-v0']) expect(cuda.envs).toContain(id);
  });

  it.skipIf(cuda.available)("backend: 'cuda' throws BackendUnavailableError whose message carries the reason", () => {
    for (const [id, config] of [['MAPF-v0', MAPF], ['RideDispatch-v0', DISPATCH], ['Volleyball-3v3-v0', {}]] as const) {
      let err: unknown;
      try {
        make(id as string, { numEnvs: 2, seed: 1, backend: 'cuda', config } as MakeOptions<unknown>);
      } catch (e) {
        err = e;
      }
      expect(err, id).toBeInstanceOf(BackendUnavailableError);
      expect((err as BackendUnavailableError).code).toBe('ERR_MW_BACKEND_UNAVAILABLE');
      expect((err as Error).message).toContain(cuda.reason!);
      expect((err as Error).message).toContain('cuda');
    }
  });

  it.skipIf(cuda.available || !nativeAvailable)("backend: 'auto' falls through to native and notes why cuda was skipped", () => {
    const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend: 'auto', config: MAPF });
    expect(env.metadata.backend).toBe('native');
    expect(env.metadata.backendNotes.join('\n')).toContain(`cuda: ${cuda.reason}`);
    env.close();
  });

  it('the CUDA addon, where it was built, loads and reports why it cannot run instead of crashing', () => {
    const load = loadCudaAddon();
    if (load.ok) {
      expect(load.probe.available).toBe(true);
      expect(load.probe.devices.length).toBeGreaterThan(0);
      return;
    }
    expect(load.reason.length).toBeGreaterThan(0);
    if (!load.probe) {
      // Not built here (or disabled): the reason says so.
      expect(load.reason).toMatch(/^(not built: |disabled by |probe failed: )/);
      return;
    }
    expect(load.probe.available).toBe(false);
    expect(load.reason).toBe(load.probe.reason);
    expect(load.reason).toMatch(/^(no CUDA driver|no CUDA device|CUDA runtime error|device 0 has compute capability)/);
    // The machines this project builds on: a static runtime and no driver give error 35.
    if (load.probe.error === 35) {
      expect(load.reason).toBe('no CUDA driver: cudaGetDeviceCount returned 35 (CUDA driver version is insufficient for CUDA runtime version)');
    }
  });

  it.skipIf(!existsSync(new URL('../../build-cuda/Release/manyworlds_cuda.node', import.meta.url)) || cuda.available)(
    'a build of the CUDA addon here is found by the loader (build-cuda/Release)', () => {
      const load = loadCudaAddon();
      expect(load.ok).toBe(false);
      expect(load.ok ? '' : load.path ?? '').toMatch(/build-cuda[/\\]Release[/\\]manyworlds_cuda\.node$/);
    });
});

describe('VectorEnv.rollout() on every available backend', () => {
  const backends = reports.filter((r) => r.available && r.envs.includes('MAPF-v0')).map((r) => r.name);
  for (const backend of backends) {
    for (const [id, config] of [['MAPF-v0', MAPF], ['RideDispatch-v0', DISPATCH], ['Volleyball-1v1-v0', {}]] as const) {
      it(`${backend} ${id}: equals the same actions stepped one at a time`, () => {
        const a = mk(id, backend, { config }), b = mk(id, backend, { config });
        a.reset();
        b.reset();
        const rng = new CounterRng(9), T = 12;
        const n = a.actions.length;
        const actions = new (a.actions.constructor as Int32ArrayConstructor)(T * n);
        for (let t = 0; t < T; t++) actions.set(sampleActions(a, rng) as Int32Array, t * n);
        const r = a.rollout(T, actions);
        expect(r.steps).toBe(T);
        expect(r.rewards.length).toBe(T * a.numEnvs * a.numAgents);
        expect(r.episodeDone.length).toBe(T * a.numEnvs);
        const ea = a.numEnvs * a.numAgents;
        let last: ReturnType<VectorEnv['step']> | undefined;
        for (let t = 0; t < T; t++) {
          last = b.step(actions.subarray(t * n, (t + 1) * n));
          expect(Buffer.from(r.rewards.buffer, t * ea * 4, ea * 4).equals(Buffer.from(last.rewards.buffer, last.rewards.byteOffset, ea * 4)), `rewards ${t}`).toBe(true);
          expect([...r.terminations.subarray(t * ea, (t + 1) * ea)]).toEqual([...last.terminations]);
          expect([...r.truncations.subarray(t * ea, (t + 1) * ea)]).toEqual([...last.truncations]);
          expect([...r.episodeDone.subarray(t * a.numEnvs, (t + 1) * a.numEnvs)]).toEqual([...last.infos.episode.done]);
        }
        expectBitIdentical(bytesOf(b, last!), bytesOf(a, lastStep(a, r)), `${backend} ${id} after the rollout`);
        expect([...a.actions]).toEqual([...actions.subarray((T - 1) * n)]);
        a.close();
        b.close();
      });
    }

    it(`${backend}: bad rollout() input is refused with typed errors`, () => {
      const env = mk('MAPF-v0', backend, { config: MAPF });
      env.reset();
      const n = env.actions.length;
      expect(() => env.rollout(0, new Int32Array(0))).toThrow(InvalidArgumentError);
      expect(() => env.rollout(1.5, new Int32Array(n))).toThrow(InvalidArgumentError);
      expect(() => env.rollout(2, new Int32Array(n))).toThrow(InvalidActionError);
      expect(() => env.rollout(1, new Float32Array(n) as unknown as Int32Array)).toThrow(InvalidActionError);
      const before = Buffer.from(env.step(new Int32Array(n)).obs.slice().buffer);
      const bad = new Int32Array(3 * n);
      bad[2 * n + 4] = 7;
      expect(() => env.rollout(3, bad)).toThrow(/rollout step 2, env 0, agent 4: action 7/);
      // Nothing ran: the next step continues from where the last one left off, like its twin.
      const twin = mk('MAPF-v0', backend, { config: MAPF });
      twin.reset();
      expect(Buffer.from(twin.step(new Int32Array(n)).obs.slice().buffer).equals(before)).toBe(true);
      expectBitIdentical(bytesOf(twin, twin.step(new Int32Array(n))), bytesOf(env, env.step(new Int32Array(n))), 'after a refused rollout');
      twin.close();
      env.close();
      expect(() => env.rollout(1, new Int32Array(n))).toThrow(EnvClosedError);
      const disabled = mk('MAPF-v0', backend, { config: MAPF, autoresetMode: 'disabled' });
      disabled.reset();
      expect(() => disabled.rollout(1, new Int32Array(n))).toThrow(InvalidConfigError);
      disabled.close();
      // A batch never reset: the rollout is refused at its first step, and the staged actions stay.
      const fresh = mk('MAPF-v0', backend, { config: MAPF });
      fresh.actions.set(Int32Array.from({ length: n }, (_, i) => i % 5));
      const staged = [...fresh.actions];
      expect(() => fresh.rollout(2, new Int32Array(2 * n).fill(4))).toThrow(ResetNeededError);
      expect([...fresh.actions]).toEqual(staged);
      fresh.close();
    });
  }
});

describe(`cuda backend: parity with the CPU backend (${gpuSuite})`, () => {
  /** Steps a native and a cuda batch with the same actions, comparing every output each step. */
  function parity(id: string, config: object, opts: Omit<MakeOptions<unknown>, 'backend'>, steps: number,
    compare: (a: Map<string, Buffer>, b: Map<string, Buffer>, where: string) => void): void {
    const cpu = mk(id, 'native', { ...opts, config }), gpu = mk(id, 'cuda', { ...opts, config });
    expect(gpu.metadata.backend).toBe('cuda');
    compare(bytesOf(cpu, cpu.reset()), bytesOf(gpu, gpu.reset()), `${id} reset`);
    const rng = new CounterRng(21);
    for (let t = 0; t < steps; t++) {
      const act = sampleActions(cpu, rng);
      compare(bytesOf(cpu, cpu.step(act)), bytesOf(gpu, gpu.step(act)), `${id} step ${t}`);
      if (t === steps >> 1) {
        const mask = Array.from({ length: cpu.numEnvs }, (_, e) => e % 2);
        compare(bytesOf(cpu, cpu.reset({ mask })), bytesOf(gpu, gpu.reset({ mask })), `${id} masked reset`);
      }
    }
    cpu.close();
    gpu.close();
  }

  const mapfCases: Array<[string, object]> = [
    ['priority, finish, float32', { ...MAPF, collisionSystem: 'priority', onTarget: 'finish' }],
    ['soft, nothing, uint8', { ...MAPF, collisionSystem: 'soft', onTarget: 'nothing', obsDtype: 'uint8' }],
    ['blockBoth, restart, per-env maps', { ...MAPF, collisionSystem: 'blockBoth', onTarget: 'restart', mapPerEnv: true }],
  ];
  for (const [name, config] of mapfCases) {
    it.skipIf(!cudaAvailable)(`MAPF-v0 ${name}: bit-identical over 80 steps with autoresets and a masked reset`, () => {
      parity('MAPF-v0', config, { keepFinalObs: true }, 80, expectBitIdentical);
    });
  }

  for (const conflictRule of ['nearest', 'lowestIndex', 'seededRandom']) {
    it.skipIf(!cudaAvailable)(`RideDispatch-v0 (${conflictRule} conflicts): bit-identical over two episodes`, () => {
      parity('RideDispatch-v0', { ...DISPATCH, conflictRule, pairInsertionCost: true, globalMaps: true }, { keepFinalObs: true }, 70,
        expectBitIdentical);
    });
  }

  // Volleyball (docs/cuda.md): the device contracts a*b+c into one rounding and its libm differs
  // by a few ulps, so floats agree within 1e-3 (relative above 1) over 50 steps (1 s of flight);
  // flags and integer infos agree exactly on that horizon.
  const VB_TOL = 1e-3, VB_STEPS = 50;
  for (const task of ['SoloBump', 'SetAndSpikeHard', '3v3']) {
    it.skipIf(!cudaAvailable)(`Volleyball-${task}-v0: within ${VB_TOL} over ${VB_STEPS} steps`, () => {
      parity(`Volleyball-${task}-v0`, {}, {}, VB_STEPS, (a, b, where) => {
        expect([...b.keys()], where).toEqual([...a.keys()]);
        for (const [k, va] of a) {
          const vb = b.get(k)!;
          const exact = !/obs|rewards|drones|ball|board|return|metrics|finalObs/.test(k);
          if (exact) {
            expect(va.equals(vb), `${where}: ${k}`).toBe(true);
            continue;
          }
          const fa = new Float32Array(va.buffer, va.byteOffset, va.byteLength / 4);
          const fb = new Float32Array(vb.buffer, vb.byteOffset, vb.byteLength / 4);
          for (let i = 0; i < fa.length; i++) {
            if (Number.isNaN(fa[i])) {
              expect(Number.isNaN(fb[i]), `${where}: ${k}[${i}]`).toBe(true);
              continue;
            }
            expect(Math.abs(fa[i] - fb[i]), `${where}: ${k}[${i}] ${fa[i]} vs ${fb[i]}`).toBeLessThanOrEqual(VB_TOL * Math.max(1, Math.abs(fa[i])));
          }
        }
      });
    });
  }

  it.skipIf(!cudaAvailable)('stepAsync() on cuda gives the same outputs as step() on native', async () => {
    const cpu = mk('RideDispatch-v0', 'native', { config: DISPATCH }), gpu = mk('RideDispatch-v0', 'cuda', { config: DISPATCH });
    cpu.reset();
    gpu.reset();
    const rng = new CounterRng(5);
    for (let t = 0; t < 10; t++) {
      const act = sampleActions(cpu, rng);
      const r = await gpu.stepAsync(act);
      expectBitIdentical(bytesOf(cpu, cpu.step(act)), bytesOf(gpu, r), `stepAsync ${t}`);
    }
    cpu.close();
    gpu.close();
  });

  it.skipIf(!cudaAvailable)('MAPF-v0 and RideDispatch-v0 rollout() on cuda equal native step by step, bit for bit', () => {
    for (const [id, config] of [['MAPF-v0', MAPF], ['RideDispatch-v0', DISPATCH]] as const) {
      const cpu = mk(id, 'native', { config }), gpu = mk(id, 'cuda', { config });
      cpu.reset();
      gpu.reset();
      const rng = new CounterRng(8), T = 64, n = cpu.actions.length;
      const actions = new Int32Array(T * n);
      for (let t = 0; t < T; t++) actions.set(sampleActions(cpu, rng) as Int32Array, t * n);
      const g = gpu.rollout(T, actions);
      const c = cpu.rollout(T, actions);
      expect(Buffer.from(g.rewards.buffer).equals(Buffer.from(c.rewards.buffer)), `${id} rewards`).toBe(true);
      expect(Buffer.from(g.terminations).equals(Buffer.from(c.terminations)), `${id} terminations`).toBe(true);
      expect(Buffer.from(g.truncations).equals(Buffer.from(c.truncations)), `${id} truncations`).toBe(true);
      expect(Buffer.from(g.episodeDone).equals(Buffer.from(c.episodeDone)), `${id} episodeDone`).toBe(true);
      expectBitIdentical(bytesOf(cpu, lastStep(cpu, c)), bytesOf(gpu, lastStep(gpu, g)), `${id} after the rollout`);
      cpu.close();
      gpu.close();
    }
  });

  it.skipIf(!cudaAvailable)('bad input on cuda: a refused rollout or step changes nothing, and batches report one device thread', () => {
    const env = mk('MAPF-v0', 'cuda', { config: MAPF }), twin = mk('MAPF-v0', 'native', { config: MAPF });
    expect(env.metadata.numThreads).toBe(1);
    env.reset();
    twin.reset();
    const n = env.actions.length;
    const bad = new Int32Array(4 * n);
    bad[3 * n + 1] = -1;
    expect(() => env.rollout(4, bad)).toThrow(/rollout step 3, env 0, agent 1: action -1/);
    env.actions.fill(9);
    expect(() => env.step()).toThrow(InvalidActionError);
    const zeros = new Int32Array(n);
    expectBitIdentical(bytesOf(twin, twin.step(zeros)), bytesOf(env, env.step(zeros)), 'after refused calls');
    env.close();
    twin.close();
  });
});
