/**
 * Shared helpers for the Volleyball-<Task>-v0 tests: the task list with the facts the spec fixes
 * (written here independently of `VOLLEYBALL_TASKS`, so the tests check the source rather than
 * repeat it), env construction, the hover command computed from the Iris constants, and readers
 * for the flat infos buffers.
 */
import {
  make, type BackendName, type MakeOptions, type VectorEnv, type VolleyballConfig, type VolleyballInfos, type VolleyballTask,
} from '../../src/index.js';
import { envBackends } from './conformance.js';

/** What the spec (reference/volleyball.md §3–§4) says about each task. */
export interface TaskFacts {
  task: VolleyballTask;
  id: string;
  drones: number;
  obsDim: number;
  maxSteps: number;
  teams: number[];
}

const facts = (task: VolleyballTask, drones: number, obsDim: number, maxSteps: number, teamSize = 0): TaskFacts => ({
  task, id: `Volleyball-${task}-v0`, drones, obsDim, maxSteps,
  teams: Array.from({ length: drones }, (_, a) => (teamSize ? Math.floor(a / teamSize) : 0)),
});

/** Every volleyball task, in registration order. */
export const VB_TASKS: readonly TaskFacts[] = [
  facts('BackAndForth', 1, 26, 800),
  facts('HitBall', 1, 32, 500),
  facts('SoloBump', 1, 32, 800),
  facts('BumpAndPass', 2, 43, 800),
  facts('SetAndSpike', 2, 40, 800),
  facts('SetAndSpikeHard', 2, 40, 800),
  facts('1v1', 2, 37, 1000, 1),
  facts('3v3', 6, 57, 500, 3),
  facts('6v6', 12, 78, 500, 6),
];

/** Facts of one task. */
export function taskFacts(task: VolleyballTask): TaskFacts {
  return VB_TASKS.find((f) => f.task === task)!;
}

/** Backends that run a volleyball id here. */
export function vbBackends(id: string): BackendName[] {
  return envBackends(id);
}

/** Options of {@link makeVb}: `make()` options with the config merged in. */
export type VbOptions = Omit<MakeOptions<VolleyballConfig>, 'config'> & { config?: VolleyballConfig };

/** A small batch of a volleyball task: 1 env, seed 0, one thread, autoreset disabled unless overridden. */
export function makeVb(task: VolleyballTask, opts: VbOptions = {}): VectorEnv {
  return make(`Volleyball-${task}-v0` as 'Volleyball-3v3-v0', {
    numEnvs: 1, seed: 0, numThreads: 1, autoresetMode: 'disabled', ...opts, config: opts.config ?? {},
  });
}

// Iris constants (VolleyBots iris.yaml) and gravity, in double precision.
export const IRIS_MASS = 1.52;
export const GRAVITY = 9.81;
export const ROTOR_MAX_THRUST = 838 * 838 * 8.54858e-6;
/** Normalized thrust per rotor that holds the weight: m g / (4 KF) = 0.621. */
export const HOVER_THRUST = (IRIS_MASS * GRAVITY) / (4 * ROTOR_MAX_THRUST);
/** Per-rotor command c with (c + 1) / 2 = hover thrust: 0.2419. */
export const HOVER_COMMAND = 2 * HOVER_THRUST - 1;
/** Rotor throttle at hover, sqrt of the hover thrust (the throttle every episode starts with). */
export const HOVER_THROTTLE = Math.sqrt(HOVER_THRUST);
/** Control step, s. */
export const DT = 0.02;

export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];

/** World state of drone `a` of env `e` from `infos.drones` (`[E, A, 13]`). */
export function droneOf(infos: VolleyballInfos, numAgents: number, e: number, a: number): { pos: Vec3; quat: Quat; vel: Vec3; omega: Vec3 } {
  const d = infos.drones, o = (e * numAgents + a) * 13;
  return {
    pos: [d[o], d[o + 1], d[o + 2]],
    quat: [d[o + 3], d[o + 4], d[o + 5], d[o + 6]],
    vel: [d[o + 7], d[o + 8], d[o + 9]],
    omega: [d[o + 10], d[o + 11], d[o + 12]],
  };
}

/** Ball position and velocity of env `e` from `infos.ball` (`[E, 6]`). */
export function ballOf(infos: VolleyballInfos, e: number): { pos: Vec3; vel: Vec3 } {
  const b = infos.ball, o = e * 6;
  return { pos: [b[o], b[o + 1], b[o + 2]], vel: [b[o + 3], b[o + 4], b[o + 5]] };
}

/** Observation of agent `a` of env `e` as numbers. */
export function obsOf(env: VectorEnv, obs: ArrayLike<number>, e: number, a: number): number[] {
  const n = env.obsSize, o = (e * env.numAgents + a) * n;
  return Array.from({ length: n }, (_, k) => obs[o + k]);
}

/** Rotates v by the unit quaternion q = (w, x, y, z) (body to world). */
export function rotate(q: Quat, v: Vec3): Vec3 {
  const [w, x, y, z] = q;
  // R(q) v, written out from the rotation matrix of a unit quaternion.
  return [
    (1 - 2 * (y * y + z * z)) * v[0] + 2 * (x * y - w * z) * v[1] + 2 * (x * z + w * y) * v[2],
    2 * (x * y + w * z) * v[0] + (1 - 2 * (x * x + z * z)) * v[1] + 2 * (y * z - w * x) * v[2],
    2 * (x * z - w * y) * v[0] + 2 * (y * z + w * x) * v[1] + (1 - 2 * (x * x + y * y)) * v[2],
  ];
}

/** a − b rounded to float32, as the engine computes it from float32 inputs. */
export function sub32(a: Vec3, b: Vec3): Vec3 {
  return [Math.fround(a[0] - b[0]), Math.fround(a[1] - b[1]), Math.fround(a[2] - b[2])];
}

/** Half a turn about z (the far team's view): (x, y, z) -> (−x, −y, z). */
export function mirror(v: Vec3): Vec3 {
  return [-v[0], -v[1], v[2]];
}

export function norm(v: readonly number[]): number {
  return Math.hypot(...v);
}
