/**
 * Rendering of MAPF states as text (one character per cell) and as animated standalone SVG.
 *
 * Pure functions over plain data: a {@link GridMap} and per-step {@link MapfFrame}s; nothing here
 * depends on the environment class.
 * @module
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { GridMap } from '../envs/mapf/maps.js';
import { checkField, checkFrameList, checkOptions, checkPositive, checkTitle } from './args.js';
import { animatedAttributes as animated, attributes, escapeXml, formatNumber, paletteColor, stepLabel } from './svg.js';

/** One step of a MAPF episode, as plain arrays. */
export interface MapfFrame {
  /** `[A * 2]` agent positions, `(row, col)` pairs. */
  positions: Int32Array | number[];
  /** `[A * 2]` agent goals, `(row, col)` pairs. */
  goals: Int32Array | number[];
  /** `[A]` 1 while the agent is active (drawn), 0 once it is finished (hidden). */
  active: Uint8Array | number[];
}

/** Options of {@link renderSvg}. */
export interface SvgRenderOptions {
  /** Side of one cell in pixels (default 24). */
  cellSize?: number;
  /** Seconds each frame is shown (default 0.5). */
  frameSeconds?: number;
  /** Document title, shown by browsers (escaped). */
  title?: string;
}

/** Symbols of agents in ASCII renderings; agent `i` is `AGENT_SYMBOLS[i % 62]`. */
export const AGENT_SYMBOLS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** At most this many agents are listed in the ASCII legend. */
export const ASCII_LEGEND_AGENTS = 16;

/** Frames beyond this count get no step counter in SVG (it costs one element per frame). */
export const SVG_STEP_COUNTER_MAX_FRAMES = 5000;

/** Checks that `map` is a grid whose cells fill its `height × width`. */
function checkMap(fn: string, map: GridMap): void {
  if (map === null || typeof map !== 'object' || !Number.isInteger(map.height) || !Number.isInteger(map.width) || map.height < 1 || map.width < 1) {
    throw new InvalidArgumentError(`${fn}: map must be { height, width, cells } with positive integer sides, got ${formatValue(map)}`, {});
  }
  checkField(fn, 'map.cells', map.cells);
  if (map.cells.length !== map.height * map.width) {
    throw new InvalidArgumentError(`${fn}: map.cells has ${map.cells.length} entries, expected ${map.height * map.width}`, {});
  }
}

/** Checks that `frame` is consistent and inside `map`; returns its number of agents. */
function agentCount(map: GridMap, frame: MapfFrame, frameIndex: number, expected?: number): number {
  if (frame === null || typeof frame !== 'object') throw new InvalidArgumentError(`frame ${frameIndex} must be an object, got ${formatValue(frame)}`, { frame: frameIndex });
  for (const name of ['positions', 'goals', 'active'] as const) checkField(`frame ${frameIndex}`, name, frame[name]);
  const agents = frame.active.length;
  if (expected !== undefined && agents !== expected) {
    throw new InvalidArgumentError(`frame ${frameIndex} has ${agents} agents, but frame 0 has ${expected}`, {
      frame: frameIndex,
      agents,
    });
  }
  for (const [name, array] of [['positions', frame.positions], ['goals', frame.goals]] as const) {
    if (array.length !== 2 * agents) {
      throw new InvalidArgumentError(
        `frame ${frameIndex}: ${name} has length ${array.length}, expected ${2 * agents} (2 × ${agents} agents)`,
        { frame: frameIndex, field: name, length: array.length },
      );
    }
    for (let i = 0; i < agents; i++) {
      const row = array[2 * i];
      const col = array[2 * i + 1];
      if (!(Number.isInteger(row) && Number.isInteger(col) && row >= 0 && row < map.height && col >= 0 && col < map.width)) {
        throw new InvalidArgumentError(
          `frame ${frameIndex}: agent ${i} ${name === 'positions' ? 'position' : 'goal'} (${row}, ${col}) ` +
            `is outside the ${map.height}×${map.width} map`,
          { frame: frameIndex, agent: i, row, col },
        );
      }
    }
  }
  return agents;
}

/**
 * One character per cell: `#` obstacle, `.` free, `*` the goal of an active agent, and active
 * agent `i` as `AGENT_SYMBOLS[i % 62]` (drawn over goals; a higher index wins a shared cell).
 * Below the grid, one legend line per agent for the first 16: `agent i 's': (r,c) -> (gr,gc)`,
 * with ` done` for inactive agents, then `... and N more agents` if there are more.
 * Inactive agents and their goals are not drawn on the grid.
 * @throws InvalidArgumentError when the map or frame is malformed, array lengths disagree, or a
 *   cell is not an integer cell of the map.
 */
export function renderAscii(map: GridMap, frame: MapfFrame): string {
  checkMap('renderAscii', map);
  const agents = agentCount(map, frame, 0);
  const chars: string[] = Array.from(map.cells, (cell) => (cell === 1 ? '#' : '.'));
  for (let i = 0; i < agents; i++) {
    if (frame.active[i]) chars[frame.goals[2 * i] * map.width + frame.goals[2 * i + 1]] = '*';
  }
  for (let i = 0; i < agents; i++) {
    if (frame.active[i]) {
      chars[frame.positions[2 * i] * map.width + frame.positions[2 * i + 1]] = AGENT_SYMBOLS[i % AGENT_SYMBOLS.length];
    }
  }
  const lines: string[] = [];
  for (let row = 0; row < map.height; row++) lines.push(chars.slice(row * map.width, (row + 1) * map.width).join(''));
  for (let i = 0; i < Math.min(agents, ASCII_LEGEND_AGENTS); i++) {
    const symbol = AGENT_SYMBOLS[i % AGENT_SYMBOLS.length];
    const position = `(${frame.positions[2 * i]},${frame.positions[2 * i + 1]})`;
    const goal = `(${frame.goals[2 * i]},${frame.goals[2 * i + 1]})`;
    lines.push(`agent ${i} '${symbol}': ${position} -> ${goal}${frame.active[i] ? '' : ' done'}`);
  }
  if (agents > ASCII_LEGEND_AGENTS) lines.push(`... and ${agents - ASCII_LEGEND_AGENTS} more agents`);
  return lines.join('\n');
}

/** `<rect>`s covering the obstacles, one per maximal horizontal run of obstacle cells. */
function obstacleRects(map: GridMap, cellSize: number): string[] {
  const rects: string[] = [];
  for (let row = 0; row < map.height; row++) {
    let col = 0;
    while (col < map.width) {
      if (map.cells[row * map.width + col] !== 1) {
        col++;
        continue;
      }
      const start = col;
      while (col < map.width && map.cells[row * map.width + col] === 1) col++;
      rects.push(`<rect ${attributes({ x: start * cellSize, y: row * cellSize, width: (col - start) * cellSize, height: cellSize })}/>`);
    }
  }
  return rects;
}

/**
 * A standalone SVG document (opens in a browser) of the map and the agents over `frames`.
 * Obstacles are dark rects (`class="obstacles"` group, one rect per horizontal run); each agent is
 * a filled circle (`class="agents"`) and its goal a hollow square (`class="goals"`), both in the
 * agent's colour (golden-angle hues). With several frames, SMIL `<animate>` elements (discrete,
 * looping, `frameSeconds` per frame) move `cx`/`cy` and goal `x`/`y`, and set `opacity` to 0 while
 * the agent is inactive; every `values` list has one entry per frame. A step counter is drawn
 * below the grid for up to {@link SVG_STEP_COUNTER_MAX_FRAMES} frames.
 * @throws InvalidArgumentError when the map is malformed, `frames` is not a non-empty array of
 *   frames, agent counts or lengths disagree, a cell is not an integer cell of the map, or an
 *   option has the wrong type or is not positive.
 */
export function renderSvg(map: GridMap, frames: MapfFrame[], opts: SvgRenderOptions = {}): string {
  checkMap('renderSvg', map);
  checkFrameList('renderSvg', frames);
  checkOptions('renderSvg', opts, false);
  checkPositive('cellSize', opts.cellSize);
  checkPositive('frameSeconds', opts.frameSeconds);
  checkTitle(opts.title);
  const cellSize = opts.cellSize ?? 24;
  const frameSeconds = opts.frameSeconds ?? 0.5;
  const agents = agentCount(map, frames[0], 0);
  frames.forEach((frame, k) => agentCount(map, frame, k, agents));
  const frameCount = frames.length;
  const duration = frameCount * frameSeconds;
  const gridWidth = map.width * cellSize;
  const gridHeight = map.height * cellSize;
  const showCounter = frameCount > 1 && frameCount <= SVG_STEP_COUNTER_MAX_FRAMES;
  const footer = showCounter ? Math.max(16, Math.round(cellSize * 0.8)) : 0;
  const out: string[] = [];
  out.push(
    `<svg ${attributes({
      xmlns: 'http://www.w3.org/2000/svg',
      width: gridWidth,
      height: gridHeight + footer,
      viewBox: `0 0 ${formatNumber(gridWidth)} ${formatNumber(gridHeight + footer)}`,
    })}>`,
  );
  if (opts.title !== undefined) out.push(`<title>${escapeXml(opts.title)}</title>`);
  out.push(`<rect ${attributes({ class: 'background', x: 0, y: 0, width: gridWidth, height: gridHeight, fill: '#ffffff' })}/>`);
  out.push(`<g class="obstacles" fill="#3c3c3c">${obstacleRects(map, cellSize).join('')}</g>`);
  const coord = (source: 'positions' | 'goals', axis: 0 | 1, offset: number) => (i: number) => (k: number) =>
    frames[k][source][2 * i + axis] * cellSize + offset;
  const visible = (i: number) => (k: number) => (frames[k].active[i] ? 1 : 0);
  const inset = cellSize * 0.12;
  const goalSide = cellSize - 2 * inset;
  out.push('<g class="goals" fill="none">');
  for (let i = 0; i < agents; i++) {
    const { staticAttrs, animations } = animated(frameCount, duration, {
      x: coord('goals', 1, inset)(i),
      y: coord('goals', 0, inset)(i),
      opacity: visible(i),
    });
    out.push(`<rect ${attributes({
      class: 'goal', ...staticAttrs, width: goalSide, height: goalSide,
      stroke: paletteColor(i), 'stroke-width': Math.max(1, cellSize * 0.1),
    })}>${animations}</rect>`);
  }
  out.push('</g>');
  out.push('<g class="agents">');
  for (let i = 0; i < agents; i++) {
    const { staticAttrs, animations } = animated(frameCount, duration, {
      cx: coord('positions', 1, cellSize / 2)(i),
      cy: coord('positions', 0, cellSize / 2)(i),
      opacity: visible(i),
    });
    out.push(`<circle ${attributes({ ...staticAttrs, r: cellSize * 0.38, fill: paletteColor(i) })}>` +
      `<title>agent ${i}</title>${animations}</circle>`);
  }
  out.push('</g>');
  if (showCounter) {
    out.push(`<g class="step-counter" font-family="monospace" font-size="${formatNumber(footer * 0.75)}" fill="#222222">`);
    for (let k = 0; k < frameCount; k++) out.push(stepLabel(k, frameCount, duration, 4, gridHeight + footer * 0.8));
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
