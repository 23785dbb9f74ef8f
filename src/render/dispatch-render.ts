/**
 * Rendering of RideDispatch-v0 episodes as one animated standalone SVG: the city's zones, the
 * vehicles coloured by status with their load, the pending orders, and each step's assignments.
 *
 * {@link renderDispatchSvg} is a pure function over plain {@link DispatchFrame}s
 * (`dispatch-frames.ts`, which also records them from a RideDispatch-v0 `VectorEnv`).
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { DispatchCity } from '../envs/dispatch/city.js';
import { ORDER_FEATURES } from '../envs/dispatch/layout.js';
import { SVG_STEP_COUNTER_MAX_FRAMES } from './mapf-render.js';
import { checkField, checkOptions, checkPositive, checkTitle } from './args.js';
import { type DispatchFrame, DISPATCH_STATUS_NAMES, describeDispatchEpisode, dispatchFrameShape } from './dispatch-frames.js';
import { GOLDEN_ANGLE_DEGREES, attributes, discreteAnimate, discreteAnimateTransform, escapeXml, formatNumber, frameVisibility, stepLabel } from './svg.js';

/** Options of {@link renderDispatchSvg}. */
export interface DispatchSvgOptions {
  /** The city (`env.metadata.city`): zone coordinates, and the cell layout of a grid city. */
  city: Pick<DispatchCity, 'kind' | 'numZones' | 'width' | 'height' | 'zoneXY'>;
  /** Caption and document title (escaped); default `'RideDispatch-v0'`. */
  title?: string;
  /** Width of the city panel in pixels (default 600); a W×H grid is `size · H / W` high, other cities square. */
  size?: number;
  /** Seconds each frame is shown (default 0.5). */
  frameSeconds?: number;
}

/** Vehicle colours by status: idle, to pickup, to drop-off, repositioning. */
export const DISPATCH_STATUS_COLORS: readonly string[] = ['#7f7f7f', '#ff7f0e', '#2ca02c', '#1f77b4'];
const PAD = 10;
const HEADER = 80;
const ORDER_COLOR = '#d62728';
const ASSIGN_COLOR = '#9467bd';

/** Rounds a pixel coordinate to 0.1 px (avoids `-0`). */
const px = (v: number): number => Math.round(v * 10) / 10 + 0;

/**
 * A standalone SVG document (opens in a browser) of one env's episode. The caption (first 80 px)
 * holds the title, the step counter (up to `SVG_STEP_COUNTER_MAX_FRAMES` frames), the status
 * legend, each frame's running counts (`class="counts"`: served, expired, pending) and, from the
 * frame where the episode ended, its metrics (`class="result"`, {@link describeDispatchEpisode}).
 * The city panel maps a normalised point (x, y) to `(10 + x·w, 80 + y·h)`, with `w = size` and `h`
 * as in {@link DispatchSvgOptions.size}; a grid city draws its cells (`<rect class="zone">`), any
 * other city a dot per zone (`<circle class="zone">`).
 *
 * Per frame, a `<g class="orders" data-frame="k">` shown only on frame k holds each pending
 * order's origin (`<circle class="order" data-slot="s">`) and a thin line to its destination; on frames whose
 * step assigned orders, a `<g class="assignments" data-frame="k">` holds one
 * `<line class="assignment" data-vehicle="v" data-slot="s">` per vehicle with `wonSlot` ≥ 0, from
 * the vehicle (frame k) to the order's origin (frame k − 1). Each vehicle is one
 * `<g class="vehicle" data-vehicle="v">` translated per frame to its position plus a fixed offset of
 * a quarter cell (direction v × the golden angle), so that vehicles at one zone stay apart (the
 * assignment lines start at the offset point); its circle's fill follows
 * {@link DISPATCH_STATUS_COLORS} and whose `<text class="load" data-load="n">` children show the
 * load. Discrete looping SMIL animations carry every change (`frameSeconds` per frame).
 * @throws InvalidArgumentError when `frames` is not a non-empty array of frames, lengths disagree,
 *   a value is not finite, a status is not 0..3, a won slot held no order, or an option is
 *   missing, of the wrong type or out of range.
 */
export function renderDispatchSvg(frames: readonly DispatchFrame[], options: DispatchSvgOptions): string {
  const [V, K] = dispatchFrameShape(frames);
  checkOptions('renderDispatchSvg', options, false);
  const { city } = options;
  checkPositive('size', options.size);
  checkPositive('frameSeconds', options.frameSeconds);
  checkTitle(options.title);
  const size = options.size ?? 600, frameSeconds = options.frameSeconds ?? 0.5;
  if (city === null || typeof city !== 'object') throw new InvalidArgumentError(`renderDispatchSvg: options.city must be the env's city, got ${formatValue(city)}`, {});
  checkField('renderDispatchSvg', 'city.zoneXY', city.zoneXY);
  if (city.zoneXY.length !== 2 * city.numZones) throw new InvalidArgumentError('city.zoneXY must hold 2 numbers per zone', {});
  const grid = city.kind === 'grid' && city.width * city.height === city.numZones;
  const w = size, h = grid ? (size * city.height) / city.width : size;
  const F = frames.length, dur = F * frameSeconds;
  const width = w + 2 * PAD, height = HEADER + h + PAD;
  const X = (x: number): number => px(PAD + x * w), Y = (y: number): number => px(HEADER + y * h);
  const cell = grid ? Math.min(w / city.width, h / city.height) : Math.min(w, h) / Math.sqrt(city.numZones);
  const r = px(Math.max(5, Math.min(10, 0.3 * cell)));
  const offset = (v: number): [number, number] => {
    const a = (v * GOLDEN_ANGLE_DEGREES * Math.PI) / 180;
    return [0.25 * cell * Math.cos(a), 0.25 * cell * Math.sin(a)];
  };
  const title = options.title ?? 'RideDispatch-v0';
  const shownOn = (k: number): { visibility: string; animate: string } =>
    (F > 1 ? frameVisibility(k, F, dur) : { visibility: 'visible', animate: '' });
  const pending = (f: DispatchFrame): number => {
    let n = 0;
    for (let s = 0; s < K; s++) n += f.orders[ORDER_FEATURES * s] ? 1 : 0;
    return n;
  };

  const out: string[] = [];
  out.push(`<svg ${attributes({ xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${formatNumber(width)} ${formatNumber(height)}` })}>`);
  out.push(`<title>${escapeXml(title)}</title>`);
  out.push(`<rect ${attributes({ class: 'background', x: 0, y: 0, width, height, fill: '#ffffff' })}/>`);
  out.push(`<g class="caption" font-family="monospace" font-size="14" fill="#222222"><text x="${PAD}" y="18">${escapeXml(title)}</text>`);
  if (F > 1 && F <= SVG_STEP_COUNTER_MAX_FRAMES) for (let k = 0; k < F; k++) out.push(stepLabel(k, F, dur, PAD, 36));
  let lx = PAD + 150;
  DISPATCH_STATUS_NAMES.forEach((name, s) => {
    out.push(`<circle ${attributes({ cx: lx, cy: 31, r: 5, fill: DISPATCH_STATUS_COLORS[s] })}/><text ${attributes({ x: lx + 9, y: 36, 'font-size': 12 })}>${name}</text>`);
    lx += 26 + 7.2 * name.length;
  });
  if (F <= SVG_STEP_COUNTER_MAX_FRAMES) {
    frames.forEach((f, k) => {
      const { visibility, animate } = shownOn(k);
      out.push(`<text ${attributes({ class: 'counts', 'data-frame': k, x: PAD, y: 54, 'font-size': 13, visibility })}>` +
        `served ${f.served} · expired ${f.expired} · pending ${pending(f)}${animate}</text>`);
    });
  }
  const endFrame = frames.findIndex((f) => f.episode !== undefined);
  if (endFrame >= 0) {
    const shown = frames.map((_, k) => (k >= endFrame ? 'visible' : 'hidden'));
    const text = describeDispatchEpisode(frames[endFrame].episode!);
    const squeeze = text.length * 0.6 * 12 > w ? { textLength: px(w), lengthAdjust: 'spacingAndGlyphs' } : {};
    out.push(`<text ${attributes({ class: 'result', x: PAD, y: 72, 'font-size': 12, ...squeeze, visibility: shown[0] })}>` +
      `${escapeXml(text)}${endFrame > 0 ? discreteAnimate('visibility', shown, dur) : ''}</text>`);
  }
  out.push('</g>');

  out.push('<g class="city">');
  out.push(`<rect ${attributes({ x: PAD, y: HEADER, width: w, height: h, fill: '#f4f4f0', stroke: '#999999' })}/>`);
  for (let z = 0; z < city.numZones; z++) {
    const zx = city.zoneXY[2 * z], zy = city.zoneXY[2 * z + 1];
    if (grid) {
      const cw = w / city.width, ch = h / city.height;
      out.push(`<rect ${attributes({ class: 'zone', x: px(X(zx) - cw / 2), y: px(Y(zy) - ch / 2), width: px(cw), height: px(ch), fill: '#e6e9ef', stroke: '#ffffff', 'stroke-width': 2 })}/>`);
    } else {
      out.push(`<circle ${attributes({ class: 'zone', cx: X(zx), cy: Y(zy), r: 3, fill: '#b0b4bb' })}/>`);
    }
  }
  out.push('</g>');

  frames.forEach((f, k) => {
    const items: string[] = [];
    for (let s = 0; s < K; s++) {
      const o = ORDER_FEATURES * s;
      if (!f.orders[o]) continue;
      items.push(`<line ${attributes({ x1: X(f.orders[o + 1]), y1: Y(f.orders[o + 2]), x2: X(f.orders[o + 3]), y2: Y(f.orders[o + 4]) })}/>` +
        `<circle ${attributes({ class: 'order', 'data-slot': s, cx: X(f.orders[o + 1]), cy: Y(f.orders[o + 2]), r: px(0.5 * r) })}/>`);
    }
    if (items.length === 0) return;
    const { visibility, animate } = shownOn(k);
    const style = { fill: ORDER_COLOR, stroke: ORDER_COLOR, 'stroke-opacity': 0.35, 'stroke-width': 1 };
    out.push(`<g ${attributes({ class: 'orders', 'data-frame': k, ...style, visibility })}>${animate}${items.join('')}</g>`);
  });
  frames.forEach((f, k) => {
    if (k === 0) return; // no previous frame: the first frame's wonSlot is not drawn
    const lines: string[] = [];
    for (let v = 0; v < V; v++) {
      const s = f.wonSlot[v];
      if (s < 0) continue;
      const o = frames[k - 1].orders, at = ORDER_FEATURES * s;
      const [dx, dy] = offset(v);
      lines.push(`<line ${attributes({ class: 'assignment', 'data-vehicle': v, 'data-slot': s, x1: px(X(f.positions[2 * v]) + dx), y1: px(Y(f.positions[2 * v + 1]) + dy), x2: X(o[at + 1]), y2: Y(o[at + 2]) })}/>`);
    }
    if (lines.length === 0) return;
    const { visibility, animate } = shownOn(k);
    out.push(`<g ${attributes({ class: 'assignments', 'data-frame': k, stroke: ASSIGN_COLOR, 'stroke-width': 2, 'stroke-dasharray': '5 3', visibility })}>` +
      `${animate}${lines.join('')}</g>`);
  });

  const font = px(Math.max(8, 1.2 * r));
  for (let v = 0; v < V; v++) {
    const [dx, dy] = offset(v);
    const at = frames.map((f) => `${formatNumber(px(X(f.positions[2 * v]) + dx))} ${formatNumber(px(Y(f.positions[2 * v + 1]) + dy))}`);
    const move = F > 1 && at.some((a) => a !== at[0]) ? discreteAnimateTransform('translate', at, dur) : '';
    const fills = frames.map((f) => DISPATCH_STATUS_COLORS[f.status[v]] ?? '#000000');
    const fill = F > 1 && fills.some((c) => c !== fills[0]) ? discreteAnimate('fill', fills, dur) : '';
    let labels = '';
    const loads = [...new Set(frames.map((f) => f.load[v]))].sort((a, b) => a - b);
    for (const n of loads) {
      const shown = frames.map((f) => (f.load[v] === n ? 'visible' : 'hidden'));
      const animate = loads.length > 1 ? discreteAnimate('visibility', shown, dur) : '';
      labels += `<text ${attributes({ class: 'load', 'data-load': n, y: px(font / 3), 'text-anchor': 'middle', 'font-family': 'monospace', 'font-size': font, fill: '#ffffff', visibility: shown[0] })}>${n}${animate}</text>`;
    }
    out.push(`<g ${attributes({ class: 'vehicle', 'data-vehicle': v, transform: `translate(${at[0]})` })}>${move}<title>vehicle ${v}</title>` +
      `<circle ${attributes({ r, fill: fills[0], stroke: '#111111', 'stroke-width': 1 })}>${fill}</circle>${labels}</g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}
