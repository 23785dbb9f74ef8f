/**
 * Rendering of volleyball episodes as one animated standalone SVG: a top view (x–y) and a side
 * view (x–z) of the court with the drones, the ball and (SetAndSpikeHard) the defending board.
 *
 * {@link renderVolleyballSvg} is a pure function over plain {@link VolleyballFrame}s
 * (`volleyball-frames.ts`, which also records them from a volleyball `VectorEnv`).
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import { checkField, checkOptions, checkTitle } from './args.js';
import { type VolleyballFrame, describeVolleyballEpisode, droneCount } from './volleyball-frames.js';
import { SVG_STEP_COUNTER_MAX_FRAMES } from './mapf-render.js';
import {
  animatedAttributes, attributes, discreteAnimate, discreteAnimateTransform, escapeXml, formatNumber, paletteColor, stepLabel,
} from './svg.js';

/** Options of {@link renderVolleyballSvg}. */
export interface VolleyballSvgOptions {
  /** Court length (x) and width (y) in metres, as `env.metadata.config.court`. */
  court: readonly [number, number];
  /** `[A]` team of each drone (`env.metadata.teams`). With any team 1, drones are coloured by team, else by index. */
  teams?: ArrayLike<number>;
  /** Caption and document title (escaped); default `'volleyball'`. */
  title?: string;
  /** Pixels per metre in both views. Default `max(40, round(600 / (L + 2M)))`. */
  pixelsPerMeter?: number;
  /** Space drawn around the court on every side, metres (default 1.5). */
  marginMeters?: number;
  /**
   * Top of the side view, metres. Default: the highest drone or ball z over the frames plus 0.5,
   * rounded up to a whole metre, clamped to [5, 20].
   */
  maxHeight?: number;
  /** Seconds each frame is shown (default 0.04: half of real time at 50 Hz). */
  frameSeconds?: number;
  /** Ball trail: this many dots (default 6; 0 for none), each `trailSpacing` frames behind the previous. */
  trail?: number;
  /** Frames between trail dots (default 2). */
  trailSpacing?: number;
}

/** Colours of team 0 (near side, x > 0) and team 1 in competitive tasks. */
export const VOLLEYBALL_TEAM_COLORS: readonly string[] = ['#d62728', '#1f77b4'];

const PAD = 10;
const HEADER = 62;
const GAP = 20;
const GROUND = 0.5;
const NET_HEIGHT = 2.43;
const DRONE_HALF = 0.235;
const DRONE_THICK = 0.11;
const BALL_RADIUS = 0.1;
const BOARD_RADIUS = 0.5;
const BOARD_HALF_HEIGHT = 0.15;
const HIT_COLOR = '#ff9f00';

/** Rounds a pixel coordinate to 0.1 px (avoids `-0`). */
const px = (v: number): number => Math.round(v * 10) / 10 + 0;

/**
 * A standalone SVG document (opens in a browser) of a volleyball episode, in two panels sharing
 * the x axis. With `s` = `pixelsPerMeter`, `M` = `marginMeters`, court `L × W` and `Z` the side
 * view's top (`maxHeight`), the document is `(L + 2M)·s + 20` px wide; the caption takes the
 * first 62 px; the top view (`class="top-view"`) maps world (x, y) to
 * `(10 + (x + L/2 + M)·s, 62 + (W/2 + M − y)·s)`, and the side view (`class="side-view"`) starts
 * 20 px below it at `Y = 62 + (W + 2M)·s + 20` and maps (x, z) to `(10 + (x + L/2 + M)·s, Y + (Z − z)·s)`,
 * with 0.5 m of ground drawn below z = 0.
 *
 * Both views draw the court, the net (`<line class="net">`: the centre line x = 0 in the top
 * view; a bar from the ground to 2.43 m in the side view), one `<g class="drone">` per drone (a
 * 0.47 m square with a heading tick and its index from above, a 0.47 × 0.11 m box tilted with
 * its attitude from the side), the ball with a trail of dots, and the board when any frame has
 * one. A drone's legal hits show as a ring (`class="hit"`, only for drones that hit) visible
 * exactly on the frames whose `hits` entry is 1. The caption shows the title, a step counter
 * (up to `SVG_STEP_COUNTER_MAX_FRAMES` frames), and from the frame where the episode ended the
 * result ({@link describeVolleyballEpisode}). With several frames, discrete looping SMIL
 * animations (`frameSeconds` per frame) carry every change; numbers have at most 3 decimals.
 * @throws InvalidArgumentError when `frames` is not a non-empty array of frames, lengths disagree,
 *   a value is not finite, or an option is missing, of the wrong type or out of range.
 */
export function renderVolleyballSvg(frames: readonly VolleyballFrame[], options: VolleyballSvgOptions): string {
  const agents = droneCount(frames);
  checkOptions('renderVolleyballSvg', options, false);
  checkField('renderVolleyballSvg', 'court', options.court);
  if (options.court.length !== 2) throw new InvalidArgumentError(`court must be [length, width], got ${formatValue(options.court)}`, {});
  if (options.teams !== undefined) {
    checkField('renderVolleyballSvg', 'teams', options.teams);
    if (options.teams.length !== agents || !Array.from(options.teams).every((t) => t === 0 || t === 1)) {
      throw new InvalidArgumentError(`teams must hold ${agents} entries of 0 or 1 (one per drone), got ${formatValue(options.teams)}`, {});
    }
  }
  checkTitle(options.title);
  const [L, W] = options.court;
  const M = options.marginMeters ?? 1.5;
  const s = options.pixelsPerMeter ?? Math.max(40, Math.round(600 / (L + 2 * M)));
  const frameSeconds = options.frameSeconds ?? 0.04;
  const trail = options.trail ?? 6;
  const spacing = options.trailSpacing ?? 2;
  const positive = { 'court length': L, 'court width': W, pixelsPerMeter: s, frameSeconds, trailSpacing: spacing };
  for (const [name, v] of Object.entries(positive)) {
    if (!(v > 0 && Number.isFinite(v))) throw new InvalidArgumentError(`${name} must be positive, got ${formatValue(v)}`, { [name]: v });
  }
  if (!(M >= 0) || !Number.isInteger(trail) || trail < 0) throw new InvalidArgumentError('marginMeters must be ≥ 0 and trail an integer ≥ 0', { M, trail });
  const teams = Array.from({ length: agents }, (_, a) => options.teams?.[a] ?? 0);
  const competitive = teams.some((t) => t !== 0);
  const color = (a: number): string => (competitive ? VOLLEYBALL_TEAM_COLORS[teams[a] % 2] : paletteColor(a));
  let zTop = 0;
  for (const f of frames) {
    for (let a = 0; a < agents; a++) zTop = Math.max(zTop, f.drones[13 * a + 2]);
    zTop = Math.max(zTop, f.ball[2]);
  }
  const Z = options.maxHeight ?? Math.min(20, Math.max(5, Math.ceil(zTop + 0.5)));
  if (!(Z > 0)) throw new InvalidArgumentError(`maxHeight must be positive, got ${formatValue(Z)}`, { maxHeight: Z });

  const F = frames.length;
  const dur = F * frameSeconds;
  const panelW = (L + 2 * M) * s;
  const topH = (W + 2 * M) * s;
  const sideY = HEADER + topH + GAP;
  const sideH = (Z + GROUND) * s;
  const width = panelW + 2 * PAD;
  const height = sideY + sideH + PAD;
  const X = (x: number): number => px(PAD + (x + L / 2 + M) * s);
  const Yt = (y: number): number => px(HEADER + (W / 2 + M - y) * s);
  const Ys = (z: number): number => px(sideY + (Z - z) * s);
  const deg = (rad: number): number => Math.round((rad * 180) / Math.PI * 10) / 10 + 0;
  const title = options.title ?? 'volleyball';
  const hasBall = frames.some((f) => f.ball.some((v) => v !== 0));
  const hasBoard = frames.some((f) => f.board.some((v) => v !== 0));

  /** Quaternion of drone `a` in frame `k`: heading (body x) and up (body z) in world. */
  const axes = (k: number, a: number): { hx: number; hy: number; ux: number; uz: number } => {
    const d = frames[k].drones;
    const [w, x, y, z] = [d[13 * a + 3], d[13 * a + 4], d[13 * a + 5], d[13 * a + 6]];
    return { hx: 1 - 2 * (y * y + z * z), hy: 2 * (x * y + w * z), ux: 2 * (x * z + w * y), uz: 1 - 2 * (x * x + y * y) };
  };
  /** A `<g>` translated per frame to `at(k)`, holding `inner`. */
  const moving = (cls: string | undefined, at: (k: number) => [number, number], inner: string, extra: Record<string, string | number> = {}): string => {
    const values = frames.map((_, k) => at(k).map((v) => formatNumber(v)).join(' '));
    const animate = F > 1 && values.some((v) => v !== values[0]) ? discreteAnimateTransform('translate', values, dur) : '';
    return `<g ${attributes({ class: cls, ...extra, transform: `translate(${values[0]})` })}>${animate}${inner}</g>`;
  };
  /** A `<g>` rotated per frame by `angle(k)` degrees, holding `inner`. */
  const rotating = (angle: (k: number) => number, inner: string): string => {
    const values = frames.map((_, k) => angle(k));
    const animate = F > 1 && values.some((v) => v !== values[0]) ? discreteAnimateTransform('rotate', values, dur) : '';
    return `<g transform="rotate(${formatNumber(values[0])})">${animate}${inner}</g>`;
  };
  const hitRing = (a: number): string => {
    if (!frames.some((f) => f.hits[a] === 1)) return '';
    const { staticAttrs, animations } = animatedAttributes(F, dur, { opacity: (k) => (frames[k].hits[a] === 1 ? 1 : 0) });
    return `<circle ${attributes({ class: 'hit', r: px(0.45 * s), fill: 'none', stroke: HIT_COLOR, 'stroke-width': 3, ...staticAttrs })}>${animations}</circle>`;
  };
  const ballR = Math.max(3, BALL_RADIUS * s);
  const ballAndTrail = (toScreen: (k: number) => [number, number]): string[] => {
    if (!hasBall) return [];
    const out: string[] = [];
    for (let j = trail; j >= 1; j--) {
      const dot = `<circle ${attributes({ r: px(ballR * 0.6), fill: '#c9a100', opacity: formatNumber(0.6 * (1 - j / (trail + 1)), 2) })}/>`;
      out.push(moving('ball-trail', (k) => toScreen(Math.max(0, k - j * spacing)), dot));
    }
    out.push(moving('ball', toScreen, `<circle ${attributes({ r: px(ballR), fill: '#f5c518', stroke: '#7a5c00', 'stroke-width': 1 })}/>`));
    return out;
  };
  /** Board as an ellipse: radius along the disc, thickness plus foreshortening along the axis projection. */
  const board = (toScreen: (k: number) => [number, number], axis: (k: number) => [number, number, number]): string => {
    if (!hasBoard) return '';
    const minor = (k: number): number => {
      const [, , along] = axis(k);
      return px((BOARD_RADIUS * Math.abs(along) + BOARD_HALF_HEIGHT * Math.sqrt(Math.max(0, 1 - along * along))) * s);
    };
    const { staticAttrs, animations } = animatedAttributes(F, dur, { rx: minor });
    const ellipse = `<ellipse ${attributes({ ...staticAttrs, ry: px(BOARD_RADIUS * s), fill: '#7f7f7f', 'fill-opacity': 0.6, stroke: '#333333' })}>${animations}</ellipse>`;
    return moving('board', toScreen, rotating((k) => -deg(Math.atan2(axis(k)[1], axis(k)[0])), ellipse));
  };

  const out: string[] = [];
  out.push(`<svg ${attributes({ xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${formatNumber(width)} ${formatNumber(height)}` })}>`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect ${attributes({ class: 'background', x: 0, y: 0, width, height, fill: '#ffffff' })}/>`);
  out.push('<defs>' +
    `<clipPath id="mw-vb-top"><rect ${attributes({ x: PAD, y: HEADER, width: panelW, height: topH })}/></clipPath>` +
    `<clipPath id="mw-vb-side"><rect ${attributes({ x: PAD, y: sideY, width: panelW, height: sideH })}/></clipPath></defs>`);
  out.push(`<g class="caption" font-family="monospace" font-size="14" fill="#222222"><text x="${PAD}" y="18">${escapeXml(title)}</text>`);
  if (F > 1 && F <= SVG_STEP_COUNTER_MAX_FRAMES) for (let k = 0; k < F; k++) out.push(stepLabel(k, F, dur, PAD, 36));
  const endFrame = frames.findIndex((f) => f.episode !== undefined);
  if (endFrame >= 0) {
    // Shown from the frame where the episode ended on.
    const shown = frames.map((_, k) => (k >= endFrame ? 'visible' : 'hidden'));
    const animate = endFrame > 0 ? discreteAnimate('visibility', shown, dur) : '';
    const text = describeVolleyballEpisode(frames[endFrame].episode!);
    // Monospace glyphs are about 0.6 em wide: squeeze a line that would overflow the panel.
    const squeeze = text.length * 0.6 * 13 > panelW ? { textLength: px(panelW), lengthAdjust: 'spacingAndGlyphs' } : {};
    out.push(`<text ${attributes({ class: 'result', x: PAD, y: 54, 'font-size': 13, ...squeeze, visibility: shown[0] })}>` +
      `${escapeXml(text)}${animate}</text>`);
  }
  out.push('</g>');

  // Top view.
  out.push('<g class="top-view">');
  out.push(`<rect ${attributes({ x: PAD, y: HEADER, width: panelW, height: topH, fill: '#dfe9d8' })}/>`);
  out.push(`<rect ${attributes({ class: 'court', x: X(-L / 2), y: Yt(W / 2), width: px(L * s), height: px(W * s), fill: '#f1dfb8', stroke: '#ffffff', 'stroke-width': 2 })}/>`);
  out.push(`<line ${attributes({ class: 'net', x1: X(0), y1: Yt(W / 2), x2: X(0), y2: Yt(-W / 2), stroke: '#333333', 'stroke-width': 3 })}/>`);
  out.push(`<text ${attributes({ x: PAD + 4, y: HEADER + 14, 'font-family': 'monospace', 'font-size': 12, fill: '#555555' })}>top (x–y)</text>`);
  out.push('<g clip-path="url(#mw-vb-top)">');
  out.push(board((k) => [X(frames[k].board[0]), Yt(frames[k].board[1])], (k) => [frames[k].board[3], frames[k].board[4], frames[k].board[5]]));
  const fontSize = px(Math.max(8, 0.28 * s));
  for (let a = 0; a < agents; a++) {
    const h = px(DRONE_HALF * s);
    const body = `<rect ${attributes({ x: -h, y: -h, width: 2 * h, height: 2 * h, rx: px(h / 3), fill: color(a), 'fill-opacity': 0.85, stroke: '#111111' })}/>` +
      `<line ${attributes({ x1: 0, y1: 0, x2: px(1.6 * h), y2: 0, stroke: '#111111', 'stroke-width': 2 })}/>`;
    const yaw = rotating((k) => { const q = axes(k, a); return -deg(Math.atan2(q.hy, q.hx)); }, body);
    const label = `<text ${attributes({ y: px(fontSize / 3), 'text-anchor': 'middle', 'font-family': 'monospace', 'font-size': fontSize, fill: '#ffffff' })}>${a}</text>`;
    out.push(moving('drone', (k) => [X(frames[k].drones[13 * a]), Yt(frames[k].drones[13 * a + 1])],
      `<title>drone ${a} (team ${teams[a]})</title>${yaw}${label}${hitRing(a)}`, { 'data-agent': a }));
  }
  out.push(...ballAndTrail((k) => [X(frames[k].ball[0]), Yt(frames[k].ball[1])]));
  out.push('</g></g>');

  // Side view.
  out.push('<g class="side-view">');
  out.push(`<rect ${attributes({ x: PAD, y: sideY, width: panelW, height: sideH, fill: '#e8f1f8' })}/>`);
  out.push(`<rect ${attributes({ class: 'ground', x: PAD, y: Ys(0), width: panelW, height: px(GROUND * s), fill: '#cdbb93' })}/>`);
  out.push(`<line ${attributes({ class: 'court', x1: X(-L / 2), y1: Ys(0), x2: X(L / 2), y2: Ys(0), stroke: '#8a6d3b', 'stroke-width': 4 })}/>`);
  out.push(`<line ${attributes({ class: 'net', x1: X(0), y1: Ys(0), x2: X(0), y2: Ys(NET_HEIGHT), stroke: '#333333', 'stroke-width': 3 })}/>`);
  out.push(`<text ${attributes({ x: PAD + 4, y: sideY + 14, 'font-family': 'monospace', 'font-size': 12, fill: '#555555' })}>side (x–z)</text>`);
  out.push('<g clip-path="url(#mw-vb-side)">');
  out.push(board((k) => [X(frames[k].board[0]), Ys(frames[k].board[2])], (k) => [frames[k].board[3], frames[k].board[5], frames[k].board[4]]));
  for (let a = 0; a < agents; a++) {
    const w = px(DRONE_HALF * s);
    const t = px(Math.max(3, DRONE_THICK * s));
    const body = `<rect ${attributes({ x: -w, y: px(-t / 2), width: 2 * w, height: t, fill: color(a), stroke: '#111111' })}/>`;
    const tilt = rotating((k) => { const q = axes(k, a); return -(deg(Math.atan2(q.uz, q.ux)) - 90); }, body);
    out.push(moving('drone', (k) => [X(frames[k].drones[13 * a]), Ys(frames[k].drones[13 * a + 2])],
      `<title>drone ${a} (team ${teams[a]})</title>${tilt}${hitRing(a)}`, { 'data-agent': a }));
  }
  out.push(...ballAndTrail((k) => [X(frames[k].ball[0]), Ys(frames[k].ball[2])]));
  out.push('</g></g>');
  out.push('</svg>');
  return out.join('\n');
}
