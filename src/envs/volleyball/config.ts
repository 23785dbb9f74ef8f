/**
 * Volleyball configuration: the nine VolleyBots tasks, their per-task facts (drones, teams,
 * observation size, court, episode cap) and validation of the user options. Every error names the
 * field and the offending value.
 * @module
 */

import { InvalidConfigError, formatValue } from '../../errors.js';

/** The VolleyBots tasks, one env id each: `Volleyball-<Task>-v0`. */
export type VolleyballTask =
  | 'BackAndForth' | 'HitBall' | 'SoloBump' | 'BumpAndPass' | 'SetAndSpike' | 'SetAndSpikeHard' | '1v1' | '3v3' | '6v6';

/**
 * How actions drive the rotors:
 * - `'rotorThrust'` (default, VolleyBots' PRT): 4 per-rotor commands in [-1, 1] (clipped), each
 *   normalized thrust (c + 1) / 2 after the rotor lag;
 * - `'thrustBodyRates'` (VolleyBots' CTBR): roll, pitch and yaw rate targets and collective
 *   thrust, each squashed by tanh, through the Crazyflie-style rate PID.
 */
export type VolleyballActionMode = 'rotorThrust' | 'thrustBodyRates';

/** Configuration of every `Volleyball-<Task>-v0` env. All fields are optional. */
export interface VolleyballConfig {
  /** Default `'rotorThrust'`. */
  actionMode?: VolleyballActionMode;
  /** Physics substeps per 20 ms control step, 1..16. Default 1 (as VolleyBots). */
  substeps?: number;
  /** Truncate after this many steps. Default: the task's VolleyBots `max_episode_length`. */
  maxEpisodeSteps?: number;
  /**
   * Competitive tasks: draw the serving side per episode (VolleyBots' `random_turn`). With
   * `false`, team 0 (drone 0 in 1v1) always serves. Default true.
   */
  randomServe?: boolean;
}

/** Facts of a task (VolleyBots cfg/task/*.yaml and task files). */
export interface VolleyballTaskInfo {
  /** Native task index. */
  index: number;
  /** Drones per env. */
  drones: number;
  /** Per-agent observation length. */
  obsDim: number;
  /** VolleyBots `max_episode_length`. */
  maxSteps: number;
  /** Drones per team in competitive tasks; 0 otherwise. */
  teamSize: number;
  /** Court length (x) and width (y), m. */
  court: readonly [number, number];
  /** Names of the episode metric slots. */
  metricNames: readonly string[];
  /** One line for `listEnvs()`. */
  description: string;
}

const COMPETITIVE_METRICS = ['team0Win', 'team1Win', 'draw', 'numHits', 'numTurns', 'endCase'] as const;
const SPIKE_METRICS = ['inTarget', 'downwardSpike', 'spikeVz', 'successHits', 'boardAttempted', 'boardReturned'] as const;

/**
 * The drone that serves in a competitive task of `teamSize` drones per team (1, 3 or 6) when team
 * `side` serves: VolleyBots' server slot in that team (1v1 the drone itself, 3v3 its third drone,
 * 6v6 its fifth), as the envs' spawn sets it. @internal
 */
export function servingDrone(teamSize: number, side: number): number {
  return teamSize * side + (teamSize === 6 ? 4 : teamSize === 3 ? 2 : 0);
}

/** Team of each drone of a task: drone a is on team floor(a / teamSize); all 0 without teams. @internal */
export function droneTeams(info: VolleyballTaskInfo): number[] {
  return Array.from({ length: info.drones }, (_, a) => (info.teamSize > 0 ? Math.floor(a / info.teamSize) : 0));
}

/** Every task, keyed by its name in the env id. */
export const VOLLEYBALL_TASKS: Readonly<Record<VolleyballTask, VolleyballTaskInfo>> = {
  BackAndForth: { index: 0, drones: 1, obsDim: 26, maxSteps: 800, teamSize: 0, court: [18, 9], metricNames: ['targetReached'], description: 'one drone flies between two points (no ball)' },
  HitBall: { index: 1, drones: 1, obsDim: 32, maxSteps: 500, teamSize: 0, court: [18, 9], metricNames: ['numTrueHits', 'ballDoneX', 'ballDoneXDistToAnchor'], description: 'one drone hits a dropped ball over the net' },
  SoloBump: { index: 2, drones: 1, obsDim: 32, maxSteps: 800, teamSize: 0, court: [18, 9], metricNames: ['numTrueHits', 'ballZMax', 'numHeightHits'], description: 'one drone juggles the ball above 3.5 m' },
  BumpAndPass: { index: 3, drones: 2, obsDim: 43, maxSteps: 800, teamSize: 0, court: [18, 9], metricNames: ['numSuccessHits', 'numSuccessCross', 'crossHeight'], description: 'two drones pass the ball back and forth' },
  SetAndSpike: { index: 4, drones: 2, obsDim: 40, maxSteps: 800, teamSize: 0, court: [18, 9], metricNames: SPIKE_METRICS, description: 'a setter and an attacker spike the ball into a target' },
  SetAndSpikeHard: { index: 5, drones: 2, obsDim: 40, maxSteps: 800, teamSize: 0, court: [18, 9], metricNames: SPIKE_METRICS, description: 'set and spike past a scripted defending board' },
  '1v1': { index: 6, drones: 2, obsDim: 37, maxSteps: 1000, teamSize: 1, court: [6, 3], metricNames: COMPETITIVE_METRICS, description: 'one drone per side, one rally per episode' },
  '3v3': { index: 7, drones: 6, obsDim: 57, maxSteps: 500, teamSize: 3, court: [12, 6], metricNames: COMPETITIVE_METRICS, description: 'three drones per side, one rally per episode' },
  '6v6': { index: 8, drones: 12, obsDim: 78, maxSteps: 500, teamSize: 6, court: [18, 9], metricNames: COMPETITIVE_METRICS, description: 'six drones per side, one rally per episode' },
};

/** Codes of `endCase` (competitive metric slot 5): how the rally ended. */
export const VOLLEYBALL_END_CASES: Readonly<Record<number, string>> = {
  0: 'truncated (no decision)',
  1: 'hit out of turn or a second touch',
  2: 'body hit not with the racket',
  3: 'drone crossed the net line',
  4: 'ball grounded in a team\'s half',
  5: 'ball out of bounds by the last hitter',
  6: 'ball into the net by the last hitter',
  7: 'a drone fell below 0.3 m',
  8: 'two teammates closer than 0.8 m',
};

/** A validated configuration. @internal */
export interface ResolvedVolleyballConfig {
  id: string;
  task: VolleyballTask;
  info: VolleyballTaskInfo;
  actionMode: VolleyballActionMode;
  substeps: number;
  maxEpisodeSteps: number;
  randomServe: boolean;
}

const KNOWN = new Set(['actionMode', 'substeps', 'maxEpisodeSteps', 'randomServe']);

/** Validates a configuration; throws {@link InvalidConfigError} naming the field. @internal */
export function resolveVolleyballConfig(id: string, task: VolleyballTask, c: VolleyballConfig): ResolvedVolleyballConfig {
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw new InvalidConfigError(`${id}: config must be an object`);
  for (const key of Object.keys(c)) {
    if (!KNOWN.has(key)) throw new InvalidConfigError(`${id}: unknown config field '${key}' (known: ${[...KNOWN].join(', ')})`, { field: key });
  }
  const info = VOLLEYBALL_TASKS[task];
  const actionMode = c.actionMode ?? 'rotorThrust';
  if (actionMode !== 'rotorThrust' && actionMode !== 'thrustBodyRates') {
    throw new InvalidConfigError(`${id}: actionMode must be 'rotorThrust' or 'thrustBodyRates', got ${formatValue(actionMode)}`, { field: 'actionMode', value: actionMode });
  }
  const int = (name: string, v: unknown, lo: number, hi: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new InvalidConfigError(`${id}: ${name} must be an integer in [${lo}, ${hi}], got ${formatValue(v)}`, { field: name, value: v });
    }
    return v;
  };
  const substeps = int('substeps', c.substeps ?? 1, 1, 16);
  const maxEpisodeSteps = int('maxEpisodeSteps', c.maxEpisodeSteps ?? info.maxSteps, 1, 2 ** 30);
  const randomServe = c.randomServe ?? true;
  if (typeof randomServe !== 'boolean') {
    throw new InvalidConfigError(`${id}: randomServe must be a boolean, got ${formatValue(randomServe)}`, { field: 'randomServe', value: randomServe });
  }
  return { id, task, info, actionMode, substeps, maxEpisodeSteps, randomServe };
}
