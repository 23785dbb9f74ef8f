/**
 * RideDispatch-v0 on the gpujs backend against the native backend: every output buffer (obs,
 * rewards, flags, action masks, every infos field, episode statistics, finalObs) byte for byte,
 * over hundreds of steps of random actions, for grid and matrix cities, synthetic, city, replay
 * and per-env demand, capacities 1..4, every reward preset, conflict rule, route objective and
 * autoreset mode, pair block and zone maps on and off; in gpu.js modes cpu and webasm, through
 * step() and stepAsync() (threaded webasm). Bad input gives the native error class, code and
 * message, and changes nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CounterRng, availableBackends, make, type DispatchConfig, type DispatchInfos, type GpujsMode, type MakeOptions, type ReplayOrder,
  type VectorEnv,
} from '../../src/index.js';
import { numActions, randomValidActions } from '../helpers/dispatch.js';

const native = availableBackends().some((b) => b.name === 'native' && b.available);
const FIXTURE = join(import.meta.dirname, '../fixtures/dispatch/manhattan-4.json');

type Options = Omit<MakeOptions<DispatchConfig>, 'config' | 'backend' | 'gpujs'> & { config: DispatchConfig };
interface Run { mode: GpujsMode; async: boolean }
const RUNS: Run[] = [{ mode: 'cpu', async: false }, { mode: 'webasm', async: false }, { mode: 'webasm', async: true }];

function replayOrders(T: number, Z: number, C: number): ReplayOrder[] {
  const rng = new CounterRng(11), out: ReplayOrder[] = [];
  for (let t = 0; t < T; t++) {
    const n = rng.below(4);
    for (let k = 0; k < n; k++) out.push({ step: t, origin: rng.below(Z), dest: rng.below(Z), party: 1 + rng.below(C) });
  }
  return out;
}

/** Config cases: [name, make options, steps, action policy]. */
const CASES: Array<[string, Options, number, 'valid' | 'any']> = [
  ['grid, C 3, parties 1..2, pair + maps, same-step + finalObs', {
    numEnvs: 3, seed: 5, autoresetMode: 'same-step', keepFinalObs: true,
    config: { capacity: 3, partyMax: 2, gridWidth: 4, gridHeight: 4, numVehicles: 6, numSlots: 8, horizonSteps: 25, demandScale: 4, pairInsertionCost: true, globalMaps: true },
  }, 300, 'valid'],
  ['hailingC1 (fare reward), lowestIndex, pickup cap, next-step', {
    numEnvs: 3, seed: 9, autoresetMode: 'next-step',
    config: { preset: 'hailingC1', gridWidth: 5, gridHeight: 3, numVehicles: 5, numSlots: 6, horizonSteps: 30, demandScale: 5, conflictRule: 'lowestIndex', maxPickupMin: 6 },
  }, 300, 'valid'],
  ['C 4, seededRandom, passengerMinutes, team rideGym, 8 neighbours, disabled', {
    numEnvs: 3, seed: 2, autoresetMode: 'disabled',
    config: { capacity: 4, partyMax: 2, gridWidth: 4, gridHeight: 4, numVehicles: 7, numSlots: 10, horizonSteps: 20, demandScale: 3, numNeighbours: 8, conflictRule: 'seededRandom', routeObjective: 'passengerMinutes', rewardSharing: 'team', reward: 'rideGym', pairInsertionCost: true },
  }, 250, 'valid'],
  ['matrix city with hourly travel times, city demand across hours, pair + maps', {
    numEnvs: 2, seed: 3, autoresetMode: 'same-step',
    config: { city: JSON.parse(readFileSync(FIXTURE, 'utf8')), startHour: 7, horizonSteps: 150, numVehicles: 8, numSlots: 12, capacity: 2, partyMax: 2, maxWaitSteps: 8, pairInsertionCost: true, globalMaps: true },
  }, 320, 'valid'],
  ['replay demand, C 2, next-step', {
    numEnvs: 2, seed: 4, autoresetMode: 'next-step',
    config: { gridWidth: 3, gridHeight: 3, capacity: 2, numVehicles: 4, numSlots: 5, horizonSteps: 40, pairInsertionCost: true, demand: { replay: replayOrders(40, 9, 2) } },
  }, 200, 'valid'],
  ['cityPerEnv, no repositions, C 2, maps, finalObs', {
    numEnvs: 4, seed: 21, autoresetMode: 'same-step', keepFinalObs: true,
    config: { cityPerEnv: true, repositionEnabled: false, gridWidth: 4, gridHeight: 5, capacity: 2, numVehicles: 5, numSlots: 7, horizonSteps: 30, demandScale: 4, globalMaps: true },
  }, 200, 'valid'],
  ['unmasked random actions (invalid bids and repositions run as no-ops), fare reward', {
    numEnvs: 3, seed: 8, autoresetMode: 'same-step',
    config: { gridWidth: 4, gridHeight: 4, capacity: 3, partyMax: 3, numVehicles: 6, numSlots: 6, horizonSteps: 25, demandScale: 5, reward: 'fare', pairInsertionCost: true },
  }, 200, 'any'],
];

function bytes(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Every output buffer of a batch, by name (whole buffers, stale entries included). */
function buffers(r: { obs: ArrayBufferView; rewards?: ArrayBufferView; terminations?: ArrayBufferView; truncations?: ArrayBufferView; infos: unknown }): Array<[string, ArrayBufferView]> {
  const infos = r.infos as DispatchInfos & Record<string, unknown>;
  const out: Array<[string, ArrayBufferView]> = [['obs', r.obs]];
  if (r.rewards) out.push(['rewards', r.rewards], ['terminations', r.terminations!], ['truncations', r.truncations!]);
  for (const [k, v] of Object.entries(infos)) if (ArrayBuffer.isView(v)) out.push([`infos.${k}`, v]);
  const ep = infos.episode;
  out.push(['episode.done', ep.done], ['episode.return', ep.return], ['episode.length', ep.length], ['episode.metrics', ep.metrics]);
  return out;
}

/** The first differing element of two same-named buffers, or null. */
function firstDiff(a: ArrayBufferView, b: ArrayBufferView): string | null {
  const x = bytes(a), y = bytes(b);
  if (x.length !== y.length) return `length ${x.length} vs ${y.length}`;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) {
      const el = Math.floor(i / (a as Float32Array).BYTES_PER_ELEMENT);
      return `element ${el}: native ${(a as Float32Array)[el]}, gpujs ${(b as Float32Array)[el]}`;
    }
  }
  return null;
}

function expectSame(_nat: VectorEnv, rn: Parameters<typeof buffers>[0], rg: Parameters<typeof buffers>[0], what: string): void {
  const bn = buffers(rn), bg = new Map(buffers(rg));
  for (const [name, a] of bn) {
    const d = firstDiff(a, bg.get(name)!);
    if (d) expect.fail(`${what}: ${name} differs at ${d}`);
  }
}

function anyActions(env: VectorEnv, rng: CounterRng): Int32Array {
  const a = new Int32Array(env.actions.length), n = numActions(env);
  for (let i = 0; i < a.length; i++) a[i] = rng.below(n);
  return a;
}

describe.skipIf(!native)('RideDispatch-v0 gpujs vs native: every output, bit for bit', () => {
  for (const [name, opts, steps, policy] of CASES) {
    for (const run of RUNS) {
      it(`${name} (${run.mode}${run.async ? ', stepAsync' : ''})`, async () => {
        const nat = make('RideDispatch-v0' as string, { ...opts, backend: 'native', numThreads: 2 } as MakeOptions<unknown>);
        const gpu = make('RideDispatch-v0' as string, { ...opts, backend: 'gpujs', gpujs: { mode: run.mode } } as MakeOptions<unknown>);
        try {
          expect(gpu.metadata.backend).toBe('gpujs');
          expect((gpu.metadata.gpujs as { mode: string }).mode).toBe(run.mode);
          expect(gpu.obsSize).toBe(nat.obsSize);
          let rn = nat.reset(), rg = gpu.reset();
          expectSame(nat, rn, rg, 'reset');
          const rng = new CounterRng(17);
          let episodes = 0;
          for (let t = 0; t < steps; t++) {
            const acts = policy === 'valid' ? randomValidActions(nat, rn.infos as DispatchInfos, rng, 0.25) : anyActions(nat, rng);
            const sn = nat.step(acts);
            const sg = run.async ? await gpu.stepAsync(acts) : gpu.step(acts);
            expectSame(nat, sn, sg, `step ${t}`);
            rn = sn;
            const done = (sn.infos as DispatchInfos).episode.done;
            episodes += done.reduce((s, v) => s + v, 0);
            if (opts.autoresetMode === 'disabled' && done.some((v) => v)) {
              const mask = Uint8Array.from(done);
              rn = nat.reset({ mask });
              expectSame(nat, rn, gpu.reset({ mask }), `reset after step ${t}`);
            }
          }
          expect(episodes).toBeGreaterThan(0);
        } finally {
          nat.close();
          gpu.close();
        }
      });
    }
  }

  it('reseeding with a mask (cityPerEnv: new cities) matches', () => {
    const opts = { numEnvs: 3, seed: 1, autoresetMode: 'same-step', config: { cityPerEnv: true, gridWidth: 3, gridHeight: 3, numVehicles: 3, numSlots: 4, horizonSteps: 10, demandScale: 6 } };
    const nat = make('RideDispatch-v0' as string, { ...opts, backend: 'native' } as MakeOptions<unknown>);
    const gpu = make('RideDispatch-v0' as string, { ...opts, backend: 'gpujs', gpujs: { mode: 'cpu' } } as MakeOptions<unknown>);
    try {
      let rn = nat.reset();
      gpu.reset();
      const rng = new CounterRng(5);
      for (let t = 0; t < 30; t++) {
        if (t === 12) {
          rn = nat.reset({ seed: [7, 8, 9], mask: [0, 1, 1] });
          expectSame(nat, rn, gpu.reset({ seed: [7, 8, 9], mask: [0, 1, 1] }), 'masked reseed');
        }
        const acts = randomValidActions(nat, rn.infos as DispatchInfos, rng, 0.2);
        rn = nat.step(acts);
        expectSame(nat, rn, gpu.step(acts), `step ${t}`);
      }
    } finally {
      nat.close();
      gpu.close();
    }
  });

  it('several kernel groups per step (900 default envs: over 2^20 kernel threads), finalObs, stepAsync double buffering', async () => {
    const opts = { numEnvs: 900, seed: 3, autoresetMode: 'same-step', keepFinalObs: true, config: { horizonSteps: 3 } };
    const nat = make('RideDispatch-v0' as string, { ...opts, backend: 'native', numThreads: 2 } as MakeOptions<unknown>);
    const gpu = make('RideDispatch-v0' as string, { ...opts, backend: 'gpujs', gpujs: { mode: 'webasm' } } as MakeOptions<unknown>);
    try {
      let rn = nat.reset();
      expectSame(nat, rn, gpu.reset(), 'reset');
      const rng = new CounterRng(9);
      for (let t = 0; t < 4; t++) {
        const acts = randomValidActions(nat, rn.infos as DispatchInfos, rng, 0.2);
        rn = nat.step(acts);
        expectSame(nat, rn, t % 2 ? await gpu.stepAsync(acts) : gpu.step(acts), `step ${t}`);
      }
    } finally {
      nat.close();
      gpu.close();
    }
  });
});

/** The error a call throws (or the promise rejects with). */
async function errorOf(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

describe.skipIf(!native)('RideDispatch-v0 gpujs bad input: the native error class, code and message', () => {
  const config: DispatchConfig = { gridWidth: 3, gridHeight: 3, numVehicles: 4, numSlots: 5, horizonSteps: 6, demandScale: 5 };
  const pair = (autoresetMode: 'same-step' | 'disabled' = 'same-step'): [VectorEnv, VectorEnv] => [
    make('RideDispatch-v0', { numEnvs: 2, seed: 1, autoresetMode, backend: 'native', config }),
    make('RideDispatch-v0', { numEnvs: 2, seed: 1, autoresetMode, backend: 'gpujs', gpujs: { mode: 'webasm' }, config }),
  ];
  const expectSameError = (a: Error & { code?: string }, b: Error & { code?: string }): void => {
    expect(b.constructor).toBe(a.constructor);
    expect(b.code).toBe(a.code);
    expect(b.message).toBe(a.message);
    expect((b as { details?: unknown }).details).toEqual((a as { details?: unknown }).details);
  };

  it('step before reset, out-of-range and NaN actions; the env stays usable and in step', async () => {
    const [nat, gpu] = pair();
    try {
      expectSameError(await errorOf(() => nat.step()), await errorOf(() => gpu.step()));
      let rn = nat.reset();
      expectSame(nat, rn, gpu.reset(), 'reset');
      const A = numActions(nat);
      for (const bad of [A, -1, 1 << 30]) {
        const acts = new Int32Array(nat.actions.length);
        acts[5] = bad;
        const en = await errorOf(() => nat.step(acts));
        expect(en.code).toBe('ERR_MW_INVALID_ACTION');
        expectSameError(en, await errorOf(() => gpu.step(acts)));
        expectSameError(en, await errorOf(() => gpu.stepAsync(acts)));
      }
      const nan = Array.from({ length: nat.actions.length }, (_, i) => (i === 3 ? NaN : 0));
      expectSameError(await errorOf(() => nat.step(nan)), await errorOf(() => gpu.step(nan)));
      const rng = new CounterRng(4);
      for (let t = 0; t < 10; t++) {
        const acts = anyActions(nat, rng);
        rn = nat.step(acts);
        expectSame(nat, rn, gpu.step(acts), `step ${t} after refused steps`);
      }
    } finally {
      nat.close();
      gpu.close();
    }
  });

  it('masked actions run as no-ops with the same flags and counts', () => {
    const [nat, gpu] = pair();
    try {
      nat.reset();
      gpu.reset();
      const A = numActions(nat);
      const acts = new Int32Array(nat.actions.length);
      for (let t = 0; t < 12; t++) {
        const rn = nat.step(acts), rg = gpu.step(acts);
        expectSame(nat, rn, rg, `step ${t}`);
        const infos = rn.infos as DispatchInfos;
        for (let i = 0; i < acts.length; i++) {
          let masked = -1;
          for (let a = 1; a < A; a++) if (!infos.actionMask[i * A + a]) { masked = a; break; }
          acts[i] = masked < 0 ? 0 : masked;
        }
        if (t > 0) expect(Array.from(rg.infos.invalidAction as Uint8Array).some((v) => v)).toBe(true);
      }
    } finally {
      nat.close();
      gpu.close();
    }
  });

  it('stepping an ended episode with autoreset disabled', async () => {
    const [nat, gpu] = pair('disabled');
    try {
      nat.reset();
      gpu.reset();
      for (let t = 0; t < 6; t++) { nat.step(); gpu.step(); }
      expectSameError(await errorOf(() => nat.step()), await errorOf(() => gpu.step()));
      expectSameError(await errorOf(() => nat.stepAsync()), await errorOf(() => gpu.stepAsync()));
    } finally {
      nat.close();
      gpu.close();
    }
  });
});
