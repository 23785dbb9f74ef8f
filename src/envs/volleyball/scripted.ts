/**
 * The `'scripted'` volleyball policy: per-env turn bookkeeping and, for the drone that plays the
 * ball, an interception and strike plan flown with {@link DroneController}.
 * @module
 * @internal
 */

import type { VectorEnv } from '../../core/vector-env.js';
import { type VolleyballTask, type VolleyballTaskInfo, VOLLEYBALL_TASKS, servingDrone } from './config.js';
import { DroneController, DroneTarget, HOVER_COMMAND, HOVER_THROTTLE, IRIS } from './controller.js';
import type { VolleyballInfos } from './infos.js';
import { RESTITUTION, descend, hypot, planLob } from './lob.js';

const G = IRIS.gravity, DT = IRIS.dt;
const LOB = 1.5; // m, apex of passes and sets above the higher of both contact points
const RACKET = 0.155; // ball centre above the drone's centre when it rests on the box top, m
const ALIGN = 0.3; // s before contact at which the drone turns its normal to the strike direction
const MAX_TILT = 0.6; // rad, of the striking normal
const OVER_NET_TILT = 0.3; // rad, the same for a 3v3/6v6 shot straight over the net
const SWING = 3; // m/s², vertical acceleration of the swing up to the contact
const MAX_SWING = 1.2; // m/s, largest planned normal speed of a drone at contact
const Z_MIN = 1.1; // lowest strike height, m
const LATE = 0.15; // contacts are timed at 85% of a step (see shotAt)
const PASS = 2; // m between a passer's contact point and its receiver
const NONE = 0, TARGET = 1, WROTE = 2; // what strike() did

/** The scripted players of one batch. @internal */
export class ScriptedVolleyball {
  private readonly E: number;
  private readonly A: number;
  private readonly D: number;
  private readonly info: VolleyballTaskInfo;
  private readonly ctl = new DroneController();
  private readonly tgt = new DroneTarget();
  private readonly throttle: Float32Array; // model of every rotor's throttle
  private readonly turn: Int32Array; // coop/1v1: next hitter; competitive: last hitting team
  private readonly touched: Uint8Array; // competitive: touched the ball this possession
  private readonly side: Int8Array; // half the ball is over (0: x > 0), -1 before the first call
  private readonly recv: Int32Array; // drone the striker passes to, -1 none
  private readonly hit: Float64Array; // per env: where the ball falls through 2.15 m (x, y)
  private readonly commit: Float64Array; // per drone: strike height and normal-speed cap of its swing
  private readonly plan = new Float64Array(8); // tau, contact centre (3), normal (3), normal speed
  private readonly vout = new Float64Array(3);
  private readonly nextStep: boolean;
  private dMax = MAX_SWING; // normal-speed cap of the shot being planned

  constructor(private readonly env: VectorEnv, private readonly task: VolleyballTask, private readonly anchors: Float64Array) {
    const E = (this.E = env.numEnvs), A = (this.A = env.numAgents);
    this.D = env.obsSize;
    this.info = VOLLEYBALL_TASKS[task];
    this.throttle = new Float32Array(E * A * 4).fill(HOVER_THROTTLE);
    this.turn = new Int32Array(E);
    this.touched = new Uint8Array(E * A);
    this.side = new Int8Array(E).fill(-1);
    this.recv = new Int32Array(E).fill(-1);
    this.hit = new Float64Array(2 * E);
    this.commit = new Float64Array(2 * E * A).fill(NaN);
    this.nextStep = env.metadata.autoresetMode === 'next-step';
  }

  /** Writes the actions of every env. */
  act(infos: VolleyballInfos, obs?: Float32Array): void {
    const { E, A } = this;
    const actions = this.env.actions as Float32Array;
    const done = infos.episode.done;
    for (let e = 0; e < E; e++) {
      if (done[e] || this.side[e] < 0) {
        this.startEpisode(e, infos);
        if (done[e] && this.nextStep) { // the next step only resets the env
          actions.fill(HOVER_COMMAND, 4 * e * A, 4 * (e + 1) * A);
          continue;
        }
      } else {
        this.bookkeep(e, infos);
      }
      if (obs) for (let k = 0; k < 4 * A; k++) this.throttle[4 * e * A + k] = 0.5 * (obs[(e * A + (k >> 2)) * this.D + 19 + (k & 3)] + 1);
      const striker = this.striker(e, infos);
      for (let a = 0; a < A; a++) {
        const i = e * A + a;
        if (a !== striker || infos.hits[i]) this.commit[2 * i] = NaN;
        const how = a === striker ? this.strike(e, a, infos, actions) : NONE;
        if (how === WROTE) continue;
        if (how === NONE) this.hold(e, a, striker, infos);
        this.ctl.control(infos.drones, 13 * i, this.tgt, actions, 4 * i, this.throttle, 4 * i);
      }
    }
  }

  private startEpisode(e: number, infos: VolleyballInfos): void {
    this.throttle.fill(HOVER_THROTTLE, 4 * e * this.A, 4 * (e + 1) * this.A);
    this.side[e] = infos.ball[6 * e] > 0 ? 0 : 1;
    // 3v3/6v6: only the server may touch the serve; it has to go straight over the net.
    const n = this.info.teamSize, server = servingDrone(n, this.side[e]);
    for (let a = 0; a < this.A; a++) this.touched[e * this.A + a] = n > 1 && a !== server ? 1 : 0;
    this.turn[e] = this.task === '1v1' ? this.side[e] : this.info.teamSize > 0 ? 1 - this.side[e] : 0;
  }

  /** Follows the legal hits of the step: whose turn it is, who touched the ball this possession. */
  private bookkeep(e: number, infos: VolleyballInfos): void {
    const { A } = this;
    for (let a = 0; a < A; a++) {
      if (!infos.hits[e * A + a]) continue;
      if (this.task === 'BumpAndPass' || this.task === '1v1') this.turn[e] = 1 - a;
      else if (this.info.teamSize === 0) this.turn[e] = a + 1;
      else { this.touched[e * A + a] = 1; this.turn[e] = infos.teams[a]; }
    }
    const side = infos.ball[6 * e] > 0 ? 0 : 1;
    if (side !== this.side[e] && this.info.teamSize > 1) {
      this.touched.fill(0, e * A + side * this.info.teamSize, e * A + (side + 1) * this.info.teamSize);
    }
    this.side[e] = side;
  }

  /** The drone that plays the ball in env `e` (-1: none); sets {@link recv} and {@link hit}. */
  private striker(e: number, infos: VolleyballInfos): number {
    const t = this.turn[e], b = infos.ball, o = 6 * e, A = this.A;
    const tau = descend(b[o + 2], b[o + 5], 2 + RACKET);
    const hx = (this.hit[2 * e] = b[o] + b[o + 3] * tau), hy = (this.hit[2 * e + 1] = b[o + 1] + b[o + 4] * tau);
    this.recv[e] = -1;
    switch (this.task) {
      case 'BackAndForth': return -1;
      case 'SoloBump': return 0;
      case 'HitBall': return t === 0 ? 0 : -1;
      case 'BumpAndPass': this.recv[e] = 1 - t; return t;
      case 'SetAndSpike': case 'SetAndSpikeHard': this.recv[e] = t === 0 ? 1 : -1; return t < 2 ? t : -1;
      default: break;
    }
    // Competitive: the half where the falling ball reaches 2.15 m decides the receiving team.
    if (Number.isNaN(tau)) return -1;
    const L = this.info.court[0], W = this.info.court[1];
    const team = hx > 0 ? 0 : 1;
    if (Math.abs(hx) < 0.4 || Math.abs(hx) > L / 2 + 0.2 || Math.abs(hy) > W / 2 + 0.2) return -1;
    const land = descend(b[o + 2], b[o + 5], 0.2); // a ball the other team sent out: let it land
    if (t !== team && (Math.abs(b[o] + b[o + 3] * land) > L / 2 || Math.abs(b[o + 1] + b[o + 4] * land) > W / 2)) return -1;
    if (this.task === '1v1') return t === team ? t : -1;
    const n = this.info.teamSize, fresh = this.side[e] !== team; // touches reset once the ball crosses
    let best = -1, bestD = Infinity, front = -1, frontX = Infinity;
    for (let a = team * n; a < (team + 1) * n; a++) {
      if (this.touched[e * A + a] && !fresh) continue;
      const d = hypot(infos.drones[13 * (e * A + a)] - hx, infos.drones[13 * (e * A + a) + 1] - hy);
      if (d < bestD) { bestD = d; best = a; }
    }
    // A back-court ball is set to the untouched teammate nearest the net, who attacks.
    for (let a = team * n; a < (team + 1) * n && Math.abs(hx) > L / 4 + 0.5; a++) {
      if (a === best || (this.touched[e * A + a] && !fresh)) continue;
      if (Math.abs(this.anchors[3 * a]) < frontX) { frontX = Math.abs(this.anchors[3 * a]); front = a; }
    }
    this.recv[e] = front;
    return best;
  }

  /** Where drone `r` waits for a pass in env `e` (x, y, z into {@link vout}). */
  private waitSpot(e: number, r: number): void {
    const an = this.anchors, v = this.vout;
    if (this.info.teamSize > 0) { // a set: just in front of the receiver's anchor
      v[0] = an[3 * r] * 0.8; v[1] = an[3 * r + 1]; v[2] = an[3 * r + 2];
      return;
    }
    v[0] = an[3 * r]; // coop: PASS metres from the passer's contact point, towards r's side
    v[1] = this.hit[2 * e + 1] + (an[3 * r + 1] > 0 ? PASS : -PASS);
    v[2] = this.task === 'BumpAndPass' ? an[3 * r + 2] : 3;
    if (Number.isNaN(v[1])) v[1] = an[3 * r + 1];
  }

  /** Sets the target of a drone that does not play the ball: its wait spot or anchor, clear of the striker. */
  private hold(e: number, a: number, striker: number, infos: VolleyballInfos): void {
    const an = this.anchors, d = infos.drones;
    let x = an[3 * a], y = an[3 * a + 1], z = an[3 * a + 2];
    if (a === this.recv[e]) { this.waitSpot(e, a); x = this.vout[0]; y = this.vout[1]; z = this.vout[2]; }
    if (striker >= 0 && this.info.teamSize > 0) { // teammates closer than 0.8 m end the rally
      const dx = x - d[13 * (e * this.A + striker)], dy = y - d[13 * (e * this.A + striker) + 1], r = hypot(dx, dy);
      if (r < 1.3 && r > 1e-6) { x += ((1.3 - r) * dx) / r; y += ((1.3 - r) * dy) / r; }
    }
    this.tgt.set(x, y, z);
  }

  /**
   * Plays the ball with drone `a`: waits under the contact point (below it by half the swing),
   * swings up to the planned normal speed, and for the last {@link ALIGN} seconds turns its normal
   * to the strike direction. Returns {@link TARGET} (target set), {@link WROTE} (actions written)
   * or {@link NONE} (no plan).
   */
  private strike(e: number, a: number, infos: VolleyballInfos, actions: Float32Array): number {
    const i = e * this.A + a, d = infos.drones, o = 13 * i;
    if (!this.planStrike(e, a, infos)) return NONE;
    const p = this.plan, tau = p[0], nx = p[4], ny = p[5], nz = p[6], speed = p[7];
    const ahx = (G * nx) / nz, ahy = (G * ny) / nz; // horizontal acceleration of a tilted hover
    let vzc = speed / nz; // vertical speed at contact (net of the horizontal velocity's share, late on)
    if (tau <= ALIGN) vzc = (speed - (d[o + 7] + ahx * tau) * nx - (d[o + 8] + ahy * tau) * ny) / nz;
    const tv = Math.max(ALIGN, Math.abs(vzc) / SWING), av = vzc / tv;
    const tgt = this.tgt;
    tgt.set(p[1] - 0.5 * ahx * ALIGN * ALIGN, p[2] - 0.5 * ahy * ALIGN * ALIGN, p[3] - 0.5 * vzc * tv);
    if (tau > tv) return TARGET;
    const zr = p[3] - vzc * tau + 0.5 * av * tau * tau, vr = vzc - av * tau;
    if (tau > ALIGN) {
      tgt.position[2] = zr;
      tgt.velocity[2] = vr;
      tgt.acceleration[2] = av;
      return TARGET;
    }
    const az = av + 16 * (zr - d[o + 2]) + 8 * (vr - d[o + 9]);
    const thrust = Math.min((IRIS.mass * Math.max(az + G, 0.3 * G)) / nz, 0.92 * 4 * IRIS.maxThrust); // keep torque authority
    this.ctl.attitude(d, o, nx, ny, nz, thrust, NaN, actions, 4 * i, this.throttle, 4 * i);
    return WROTE;
  }

  /**
   * Fills {@link plan} for drone `a` of env `e`; false when the ball cannot be reached. Takes the
   * highest strike height (from the anchor's down to {@link Z_MIN}) and the strongest shot that
   * leave time to fly to the start of the swing and swing; both are kept once the swing has begun.
   */
  private planStrike(e: number, a: number, infos: VolleyballInfos): boolean {
    const i = e * this.A + a, p = this.plan, c = this.commit;
    // The plan in progress stands while it is feasible, and always once the swing has begun.
    if (!Number.isNaN(c[2 * i]) && this.shotAt(e, a, infos, c[2 * i], c[2 * i + 1]) &&
      (p[0] <= this.swingTime() + 0.1 || this.slack(infos.drones, 13 * i) >= 0)) return true;
    let best = NaN, bestD = 0, bestSlack = -Infinity;
    for (let zs = this.anchors[3 * a + 2]; zs >= Z_MIN - 1e-9 && bestSlack < 0; zs -= 0.2) {
      for (let dMax = MAX_SWING; dMax >= -0.01; dMax -= 0.6) {
        if (!this.shotAt(e, a, infos, zs, dMax)) break;
        const slack = this.slack(infos.drones, 13 * i);
        if (slack > bestSlack) { bestSlack = slack; best = zs; bestD = dMax; }
        if (slack >= 0) break;
      }
    }
    c[2 * i] = best;
    c[2 * i + 1] = bestD;
    return !Number.isNaN(best) && this.shotAt(e, a, infos, best, bestD);
  }

  /** Time to spare in {@link plan} for the drone at `d[o]`: to the contact, less flying to the swing's start and swinging. */
  private slack(d: Float32Array, o: number): number {
    const p = this.plan, tv = this.swingTime(), lead = (0.5 * ALIGN * ALIGN * G) / p[6];
    const dz = p[3] - (0.5 * p[7] * tv) / p[6] - d[o + 2];
    const dist = Math.max(hypot(p[1] - lead * p[4] - d[o], p[2] - lead * p[5] - d[o + 1]), Math.abs(dz));
    return p[0] - tv - 2 * Math.sqrt(dist / 3);
  }

  /** Duration of the planned swing: constant acceleration {@link SWING} up to the contact velocity. */
  private swingTime(): number {
    return Math.max(ALIGN, Math.abs(this.plan[7] / this.plan[6]) / SWING);
  }

  /** Fills {@link plan} for a strike with the drone's centre at height `zs`; false if the ball never gets there. */
  private shotAt(e: number, a: number, infos: VolleyballInfos, zs: number, dMax: number): boolean {
    const b = infos.ball, o = 6 * e;
    let tau = descend(b[o + 2], b[o + 5], zs + RACKET);
    if (Number.isNaN(tau)) return false;
    // Racket tasks judge the ball's position after the step: contact late in a step leaves it
    // inside the racket cylinder (0.2 m over the centre; it rests at 0.155 m).
    if (this.task !== 'SoloBump' && this.task !== 'HitBall') tau = (Math.ceil(tau / DT + LATE) - LATE) * DT;
    const px = b[o] + b[o + 3] * tau, py = b[o + 1] + b[o + 4] * tau, pz = b[o + 2] + b[o + 5] * tau - 0.5 * G * tau * tau;
    const vx = b[o + 3], vy = b[o + 4], vz = b[o + 5] - G * tau;
    this.dMax = dMax;
    this.aim(e, a, px, py, pz, vx, vy, vz);
    let nx = this.vout[0] - vx, ny = this.vout[1] - vy, nz = this.vout[2] - vz;
    // A 3v3/6v6 shot over the net from the back court asks for more than a swing can give; a gentler
    // tilt keeps the ball in the racket at the step's end, so the heuristic sees a legal hit.
    const tilt = this.info.teamSize > 1 && this.recv[e] < 0 ? OVER_NET_TILT : MAX_TILT;
    const h = hypot(nx, ny), maxH = nz * Math.tan(tilt);
    if (h > maxH) { nx *= maxH / h; ny *= maxH / h; }
    const len = hypot(nx, ny, nz);
    nx /= len; ny /= len; nz /= len;
    const vin = vx * nx + vy * ny + vz * nz, want = this.vout[0] * nx + this.vout[1] * ny + this.vout[2] * nz;
    const p = this.plan;
    p[0] = tau;
    p[1] = px - RACKET * nx; p[2] = py - RACKET * ny; p[3] = pz - RACKET * nz;
    p[4] = nx; p[5] = ny; p[6] = nz;
    p[7] = Math.min(Math.max((want + RESTITUTION * vin) / (1 + RESTITUTION), -1), 3);
    return true;
  }

  /** Sets {@link vout}: the ball velocity wanted after drone `a`'s hit at (px, py, pz). */
  private aim(e: number, a: number, px: number, py: number, pz: number, vx: number, vy: number, vz: number): void {
    const an = this.anchors, r = this.recv[e];
    if (this.task === 'SoloBump') { // straight back up to a 3.95 m apex, drifting back over the anchor
      const up = Math.sqrt(2 * G * Math.max(3.95 - pz, 0.3)), T = (2 * up) / G;
      let hx = (0.7 * (an[0] - px)) / T, hy = (0.7 * (an[1] - py)) / T;
      const s = hypot(hx, hy);
      if (s > 0.6) { hx *= 0.6 / s; hy *= 0.6 / s; }
      this.vout[0] = hx; this.vout[1] = hy; this.vout[2] = up;
    } else if (r >= 0) { // pass or set to the receiver's wait spot
      this.waitSpot(e, r);
      const tx = this.vout[0], ty = this.vout[1], tz = this.vout[2];
      planLob(this.vout, px, py, pz, vx, vy, vz, tx, ty, tz + RACKET, this.dMax, Math.max(pz, tz) + LOB);
    } else if (this.task === 'HitBall' || this.task === 'SetAndSpike' || this.task === 'SetAndSpikeHard') {
      planLob(this.vout, px, py, pz, vx, vy, vz, -4.5, 0, this.task === 'HitBall' ? 2 : 0.2, this.dMax);
    } else { // competitive: into the middle of the far half
      planLob(this.vout, px, py, pz, vx, vy, vz, ((px > 0 ? -1 : 1) * this.info.court[0]) / 4, 0, 1.5, this.dMax);
    }
  }
}
