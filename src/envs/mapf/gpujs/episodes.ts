/**
 * MAPF-v0 episodes on the gpujs backend: reset, step, rewards, metrics and autoreset of one env,
 * in plain TypeScript in the order of `native/envs/mapf/mapf_step.h`. Everything but the
 * observations is written here; observations are built afterwards for the whole batch by the
 * gpu.js kernel (see obs-builder.ts), so a step only records which episodes' last observations
 * must be kept (`keepFinalObs`).
 * @module
 * @internal
 */

import type { MapfIo } from '../layout.js';
import { moveSoft, movePriority } from './moves.js';
import { nextGoal, placeFromPools, placeRandom } from './goals.js';
import {
  AUTORESET_NEXT_STEP, AUTORESET_SAME_STEP, COLLISION_BLOCK_BOTH, COLLISION_SOFT, METRIC_CSR, METRIC_EP_LENGTH,
  METRIC_ISR, METRIC_MAKESPAN, METRIC_SOC, METRIC_THROUGHPUT, type MapfState, ON_TARGET_FINISH, ON_TARGET_NOTHING,
  ON_TARGET_RESTART, PLACE_EXPLICIT, PLACE_POOL, PLACE_RANDOM, STATUS_PLACEMENT, STATUS_STEPPED_DONE,
} from './state.js';

const NUM_METRICS = 6;

/** Called with an env whose episode ended on this step, before a same-step reset replaces it. @internal */
export type EpisodeEndHook = (env: number) => void;

/** The per-env functions of one batch over its state and io arena. @internal */
export class MapfEpisodes {
  constructor(private readonly s: MapfState, private readonly io: MapfIo, private readonly keepFinal: EpisodeEndHook | null) {}

  /** Outputs other than observations: activity, (row, col) of agents and goals, POMAPF extras. */
  writeOutputs(env: number): void {
    const s = this.s, n = s.p.numAgents, row = env * n, r = s.p.radius, pw = s.pw;
    const { pos, goal, active, start, rowOf } = s;
    const { outPos, outGoal, outActive } = this.io;
    for (let a = 0; a < n; a++) {
      const i = row + a, cell = pos[i], g = goal[i];
      const cr = rowOf[cell], gr = rowOf[g];
      outPos[2 * i] = cr - r;
      outPos[2 * i + 1] = cell - cr * pw - r;
      outGoal[2 * i] = gr - r;
      outGoal[2 * i + 1] = g - gr * pw - r;
      outActive[i] = active[i];
    }
    if (!s.p.extras) return;
    const { outXYRel, outTargetRel } = this.io;
    for (let a = 0; a < n; a++) {
      const i = row + a, c = pos[i], g = goal[i], st = start[i];
      const cr = rowOf[c], gr = rowOf[g], sr = rowOf[st];
      outXYRel[2 * i] = cr - sr;
      outXYRel[2 * i + 1] = (c - cr * pw) - (st - sr * pw);
      outTargetRel[2 * i] = gr - sr;
      outTargetRel[2 * i + 1] = (g - gr * pw) - (st - sr * pw);
    }
  }

  /**
   * Starts episode `episode[env]`: places agents, clears accumulators and writes the outputs.
   * With `keepStepOutputs`, the rewards and flags of the step that ended the last episode stay.
   */
  resetEnv(env: number, keepStepOutputs = false): void {
    const s = this.s, p = s.p, n = p.numAgents, row = env * n;
    if (p.placement === PLACE_RANDOM) {
      if (!placeRandom(s, env)) {
        // Unreachable with a checked map; keep the state usable and let the status tell.
        s.status[env] |= STATUS_PLACEMENT;
        const cell = s.paddedOfMap(s.mapOf(env).cells[0]);
        for (let a = 0; a < n; a++) s.pos[row + a] = s.goal[row + a] = cell;
      }
    } else if (p.placement === PLACE_POOL) {
      placeFromPools(s, env);
    } else {
      const starts = s.startCells as Int32Array;
      for (let a = 0; a < n; a++) s.pos[row + a] = s.paddedOfMap(starts[a]);
    }
    const { rewards, terminations, truncations } = this.io;
    for (let a = 0; a < n; a++) {
      const i = row + a;
      s.start[i] = s.pos[i];
      if (p.placement === PLACE_EXPLICIT) s.goal[i] = nextGoal(s, env, a, 0, s.pos[i]);
      s.arrivals[i] = 0;
      s.active[i] = 1;
      s.epReturn[i] = 0;
      s.solveStep[i] = -1;
      if (keepStepOutputs) continue;
      rewards[i] = 0;
      terminations[i] = 0;
      truncations[i] = 0;
    }
    s.steps[env] = 0;
    s.onGoalTotal[env] = 0;
    s.needsReset[env] = 0;
    this.writeOutputs(env);
  }

  private finishMetrics(env: number, allOnGoal: boolean): void {
    const s = this.s, p = s.p, n = p.numAgents, row = env * n;
    const m = this.io.finalMetrics;
    const at = env * NUM_METRICS;
    m.fill(NaN, at, at + NUM_METRICS);
    const last = s.steps[env] - 1; // 0-based index of the final step
    if (p.onTarget === ON_TARGET_FINISH) {
      let solveSum = 0;
      for (let a = 0; a < n; a++) {
        const st = s.solveStep[row + a];
        solveSum += st >= 0 ? st : last;
      }
      m[at + METRIC_ISR] = Math.fround(s.onGoalTotal[env]) / Math.fround(n);
      m[at + METRIC_CSR] = s.onGoalTotal[env] === n ? 1 : 0;
      m[at + METRIC_EP_LENGTH] = solveSum / n + 1;
    } else if (p.onTarget === ON_TARGET_NOTHING) {
      let on = 0, makespan = 0, soc = 0;
      for (let a = 0; a < n; a++) {
        if (s.pos[row + a] === s.goal[row + a]) on++;
        const st = s.solveStep[row + a] >= 0 ? s.solveStep[row + a] : last;
        soc += st + 1;
        if (st + 1 > makespan) makespan = st + 1;
      }
      m[at + METRIC_ISR] = Math.fround(on) / Math.fround(n);
      m[at + METRIC_CSR] = allOnGoal ? 1 : 0;
      m[at + METRIC_EP_LENGTH] = s.steps[env];
      m[at + METRIC_SOC] = soc;
      m[at + METRIC_MAKESPAN] = makespan;
    } else {
      m[at + METRIC_THROUGHPUT] = s.onGoalTotal[env] / p.maxSteps;
    }
  }

  /** One step of one env: move, score, hide or re-goal, metrics, outputs, autoreset (`step_env`). */
  stepEnv(env: number, actions: Int32Array): void {
    const s = this.s, p = s.p, n = p.numAgents, row = env * n;
    const io = this.io;
    io.episodeDone[env] = 0;
    if (s.needsReset[env]) {
      if (p.autoreset === AUTORESET_NEXT_STEP) { // this step only resets; actions are ignored
        s.episode[env] = (s.episode[env] + 1) >>> 0;
        this.resetEnv(env);
        return;
      }
      s.status[env] |= STATUS_STEPPED_DONE;
      return;
    }
    const obst = s.mapOf(env).obstacles;
    if (p.collision === COLLISION_SOFT) moveSoft(s, actions, env, obst);
    else movePriority(s, actions, env, obst, p.collision === COLLISION_BLOCK_BOTH);
    const stepIndex = s.steps[env];
    s.steps[env] = stepIndex + 1;
    const truncated = s.steps[env] >= p.maxSteps;
    const { pos, goal, active, solveStep } = s;
    const { rewards, terminations, truncations } = io;
    const finish = p.onTarget === ON_TARGET_FINISH, nothing = p.onTarget === ON_TARGET_NOTHING, restart = p.onTarget === ON_TARGET_RESTART;
    const truncatedFlag = truncated ? 1 : 0;
    let allOnGoal = true, allTerminated = true, onGoalNow = 0;
    for (let a = 0; a < n; a++) {
      const i = row + a;
      const onGoal = pos[i] === goal[i];
      const arrived = onGoal && active[i] === 1; // POGEMA's was_on_goal
      if (arrived) onGoalNow++;
      allOnGoal = allOnGoal && arrived;
      if (finish) {
        if (arrived && solveStep[i] < 0) solveStep[i] = stepIndex;
      } else if (nothing) { // the arrival after which the agent stayed
        if (arrived) {
          if (solveStep[i] < 0) solveStep[i] = stepIndex;
        } else if (!truncated) {
          solveStep[i] = -1;
        }
      }
      let reward = 0, terminated = 0;
      if (finish) {
        reward = arrived ? 1 : 0;
        terminated = onGoal ? 1 : 0;
        if (onGoal) active[i] = 0;
      } else if (restart) {
        reward = arrived ? 1 : 0;
        if (onGoal) {
          s.arrivals[i] += 1;
          goal[i] = nextGoal(s, env, a, s.arrivals[i], pos[i]);
        }
      }
      rewards[i] = reward;
      terminations[i] = terminated;
      truncations[i] = truncatedFlag;
      allTerminated = allTerminated && terminated === 1;
    }
    s.onGoalTotal[env] += onGoalNow;
    if (nothing) {
      const reward = allOnGoal ? 1 : 0;
      for (let a = 0; a < n; a++) {
        rewards[row + a] = reward;
        terminations[row + a] = reward;
      }
      allTerminated = allOnGoal;
    }
    for (let a = 0; a < n; a++) s.epReturn[row + a] += rewards[row + a];
    this.writeOutputs(env);
    if (!(allTerminated || truncated)) return;
    // The episode ended on this step: publish its statistics, then autoreset as configured.
    io.episodeDone[env] = 1;
    io.finalLength[env] = s.steps[env];
    io.finalReturn.set(s.epReturn.subarray(row, row + n), row);
    this.finishMetrics(env, allOnGoal);
    if (p.autoreset === AUTORESET_SAME_STEP) {
      this.keepFinal?.(env);
      // This step's rewards and flags stay; observations and positions become the new episode's.
      s.episode[env] = (s.episode[env] + 1) >>> 0;
      this.resetEnv(env, true);
      io.episodeDone[env] = 1;
    } else {
      s.needsReset[env] = 1;
    }
  }
}
