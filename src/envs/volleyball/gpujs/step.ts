/**
 * One volleyball step and reset of a whole batch on the gpujs backend, in the native order of
 * `step_env_t` (native/envs/volleyball/vb_step.h): actions to rotor commands, per substep the drone
 * integration of every drone (a kernel) and then each env's board, contact and ball flight (plain
 * TypeScript), then rules, rewards and flags, observations (a kernel), episode ends and autoreset.
 * Written as generators that yield their kernel calls, so that `step()` runs them synchronously
 * and `stepAsync()` awaits them.
 * @module
 * @internal
 */

import type { VolleyballInfos } from '../infos.js';
import { beginPhysicsStep, contactSubstep } from './contact.js';
import type { KernelCall, VolleyballKernels } from './kernel-set.js';
import { rulesBackAndForth, rulesBumpAndPass, rulesSetAndSpike, rulesSingle } from './rules-coop.js';
import { rulesCompetitive } from './rules-competitive.js';
import { type RuleCtx, type RuleParams, bindRuleCtx, metricCount } from './rules-context.js';
import { type SpawnParams, spawnEnv } from './spawn.js';
import {
  BALL_FIELDS, BOARD_FIELDS, DRONE_STRIDE, D_OMEGA, D_QUAT, F_BALL_DONE, F_SPIKED, METRIC_SLOTS, PHYS, RULE_INTS, R_FLAGS,
  T_BACK_AND_FORTH, T_BUMP_AND_PASS, T_HIT_BALL, T_SET_AND_SPIKE, T_SET_AND_SPIKE_HARD, T_SOLO_BUMP, type VolleyballState, soa3, soa4,
} from './state.js';
import { qrot } from './vec.js';

/** Batch facts of a step. @internal */
export interface StepParams extends SpawnParams, RuleParams {
  numEnvs: number;
  obsDim: number;
  substeps: number;
  maxSteps: number;
  autoreset: 'same-step' | 'next-step' | 'disabled';
  keepFinalObs: boolean;
}

/** The io views a step writes. @internal */
export interface StepIo {
  actions: Float32Array;
  obs: Float32Array;
  rewards: Float32Array;
  terminations: Uint8Array;
  truncations: Uint8Array;
  infos: VolleyballInfos;
}

/** Steps and resets a batch. @internal */
export class VolleyballStepper {
  private readonly touched: Uint8Array;
  private readonly boardTouched: Uint8Array;
  /** Envs that step (0) or only reset (1, next-step autoreset) on this step. */
  private readonly resetOnly: Uint8Array;
  private readonly spawned: Int32Array;
  private readonly ended: Int32Array;
  private readonly ctx: RuleCtx;

  constructor(private readonly p: StepParams, private readonly s: VolleyballState, private readonly k: VolleyballKernels, private readonly io: StepIo) {
    const E = p.numEnvs, A = p.numAgents;
    this.touched = new Uint8Array(E * A);
    this.boardTouched = new Uint8Array(E);
    this.resetOnly = new Uint8Array(E);
    this.spawned = new Int32Array(E);
    this.ended = new Int32Array(E);
    this.ctx = {
      p, s, outHit: io.infos.hits, env: 0, row: 0, step: 0, bp: { x: 0, y: 0, z: 0 }, bv: { x: 0, y: 0, z: 0 },
      bpPrev: { x: 0, y: 0, z: 0 }, bvPrev: { x: 0, y: 0, z: 0 }, ri: 0, rf: 0, m: 0, rew: new Float64Array(A),
    };
  }

  /** Starts new episodes in the masked envs (all when null), as the CPU executor's `Reset`. */
  *reset(mask: Uint8Array | null): Generator<KernelCall, void, void> {
    const { p, s, io } = this;
    let n = 0;
    for (let e = 0; e < p.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      io.infos.episode.done[e] = 0;
      spawnEnv(p, s, e);
      this.clearOutputs(e);
      this.spawned[n++] = e;
    }
    if (n === 0) return;
    if (n === p.numEnvs) yield this.k.observationsCall(io.obs);
    else yield this.k.resetObservationsCall(io.obs, this.spawned, n);
    this.writeWorldState();
  }

  /** One step of every env. The caller has checked the envs and actions. */
  *step(): Generator<KernelCall, void, void> {
    const { p, s, io, touched } = this;
    const E = p.numEnvs, A = p.numAgents;
    const hard = p.task === T_SET_AND_SPIKE_HARD;
    let stepping = 0;
    for (let e = 0; e < E; e++) {
      io.infos.episode.done[e] = 0;
      this.resetOnly[e] = s.needsReset[e];
      if (!s.needsReset[e]) stepping++;
    }
    if (stepping > 0) {
      yield this.k.controlCall(io.actions);
      touched.fill(0);
      this.boardTouched.fill(0);
      for (let e = 0; e < E; e++) if (!this.resetOnly[e]) beginPhysicsStep(s, e, hard);
      const h = Math.fround(PHYS.dt / p.substeps);
      for (let sub = 0; sub < p.substeps; sub++) {
        s.swapDrones();
        yield this.k.integrateCall();
        for (let e = 0; e < E; e++) {
          if (this.resetOnly[e]) continue;
          this.boardTouched[e] |= contactSubstep(s, e, A, h, p.hasBall, hard, touched);
        }
      }
    }
    let ended = 0;
    for (let e = 0; e < E; e++) {
      if (this.resetOnly[e]) continue;
      if (this.applyRules(e)) this.ended[ended++] = e;
    }
    let spawned = 0;
    for (let e = 0; e < E; e++) {
      if (!this.resetOnly[e]) continue;
      s.episode[e] = (s.episode[e] + 1) >>> 0;
      spawnEnv(p, s, e);
      this.clearOutputs(e);
      this.spawned[spawned++] = e;
    }
    const sameStep = p.autoreset === 'same-step';
    if (sameStep && p.keepFinalObs && ended > 0) {
      yield this.k.observationsCall(io.obs);
      const n = A * p.obsDim, finalObs = io.infos.finalObs as Float32Array;
      for (let k = 0; k < ended; k++) finalObs.set(io.obs.subarray(this.ended[k] * n, (this.ended[k] + 1) * n), this.ended[k] * n);
    }
    for (let k = 0; k < ended; k++) {
      const e = this.ended[k];
      this.finishEpisode(e);
      if (sameStep) {
        s.episode[e] = (s.episode[e] + 1) >>> 0;
        spawnEnv(p, s, e);
        this.spawned[spawned++] = e;
      } else {
        s.needsReset[e] = 1;
      }
    }
    if (sameStep && p.keepFinalObs && ended > 0) {
      if (spawned > 0) yield this.k.resetObservationsCall(io.obs, this.spawned, spawned);
    } else {
      yield this.k.observationsCall(io.obs);
    }
    this.writeWorldState();
  }

  /** Rules, rewards and flags of a stepped env; returns whether its episode ended. */
  private applyRules(e: number): boolean {
    const { p, s, io, ctx, touched } = this;
    const A = p.numAgents, row = e * A;
    s.steps[e] += 1;
    io.infos.hits.fill(0, row, row + A);
    bindRuleCtx(ctx, e, s.steps[e]);
    let terminated: boolean;
    switch (p.task) {
      case T_BACK_AND_FORTH: terminated = rulesBackAndForth(ctx); break;
      case T_HIT_BALL: case T_SOLO_BUMP: terminated = rulesSingle(ctx, touched); break;
      case T_BUMP_AND_PASS: terminated = rulesBumpAndPass(ctx, touched); break;
      case T_SET_AND_SPIKE: case T_SET_AND_SPIKE_HARD: terminated = rulesSetAndSpike(ctx, touched, this.boardTouched[e]); break;
      default: terminated = rulesCompetitive(ctx);
    }
    const truncated = !terminated && s.steps[e] >= p.maxSteps;
    for (let a = 0; a < A; a++) {
      const r = Math.fround(ctx.rew[a]);
      io.rewards[row + a] = r;
      io.terminations[row + a] = terminated ? 1 : 0;
      io.truncations[row + a] = truncated ? 1 : 0;
      s.epReturn[row + a] += r;
    }
    return terminated || truncated;
  }

  /** Episode statistics of an env whose episode ended (`finish_metrics`). */
  private finishEpisode(e: number): void {
    const { p, s, io } = this;
    const A = p.numAgents, ep = io.infos.episode;
    ep.done[e] = 1;
    ep.length[e] = s.steps[e];
    for (let a = 0; a < A; a++) ep.return[e * A + a] = s.epReturn[e * A + a];
    const used = metricCount(p.task), m = e * METRIC_SLOTS, flags = s.ruleI[e * RULE_INTS + R_FLAGS];
    for (let k = 0; k < METRIC_SLOTS; k++) ep.metrics[m + k] = k < used ? s.metrics[m + k] : NaN;
    if (p.task === T_HIT_BALL && !(flags & F_BALL_DONE)) ep.metrics[m + 1] = ep.metrics[m + 2] = NaN;
    if ((p.task === T_SET_AND_SPIKE || p.task === T_SET_AND_SPIKE_HARD) && !(flags & F_SPIKED)) ep.metrics[m + 2] = NaN;
    if (p.task === T_SET_AND_SPIKE) ep.metrics[m + 4] = ep.metrics[m + 5] = NaN;
  }

  /** Rewards, flags and hits of a freshly reset env (`reset_env` without keep_flags). */
  private clearOutputs(e: number): void {
    const A = this.p.numAgents, row = e * A, io = this.io;
    io.rewards.fill(0, row, row + A);
    io.terminations.fill(0, row, row + A);
    io.truncations.fill(0, row, row + A);
    io.infos.hits.fill(0, row, row + A);
  }

  /** World-state infos of every env: drones (pos, quat, vel, world angular velocity), ball, board. */
  private writeWorldState(): void {
    const { p, s, io } = this;
    const out = io.infos.drones, d = s.drones, n = s.numDrones;
    for (let i = 0; i < n; i++) {
      const o = i * DRONE_STRIDE;
      // pos, quat, vel: the first ten components in the same order.
      for (let k = 0; k < 10; k++) out[o + k] = d[k * n + i];
      const w = qrot(soa4(d, n, i, D_QUAT), soa3(d, n, i, D_OMEGA));
      out[o + 10] = w.x; out[o + 11] = w.y; out[o + 12] = w.z;
    }
    const ball = io.infos.ball, board = io.infos.board;
    for (let e = 0; e < p.numEnvs; e++) {
      for (let k = 0; k < 6; k++) ball[e * 6 + k] = s.ball[e * BALL_FIELDS + k];
      for (let k = 0; k < 3; k++) {
        board[e * 6 + k] = s.board[e * BOARD_FIELDS + k];
        board[e * 6 + 3 + k] = s.board[e * BOARD_FIELDS + 6 + k];
      }
    }
  }
}
