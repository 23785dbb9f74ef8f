import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { availableBackends, make, type VolleyballInfos } from '../../src/index.js';
import { UsageError } from '../../src/cli/args.js';
import { renderCommand } from '../../src/cli/render.js';
import { VOLLEYBALL_TEAM_COLORS, renderVolleyballSvg } from '../../src/render/volleyball-render.js';
import { type VolleyballFrame, collectVolleyballFrames, describeVolleyballEpisode } from '../../src/render/volleyball-frames.js';

const native = availableBackends().some((b) => b.name === 'native' && b.available);
const HOVER = 0.2419;

/** Checks that every element is closed in order (a tiny XML well-formedness check). */
function expectBalanced(svg: string): void {
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([A-Za-z]+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (closing) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  expect(svg).not.toMatch(/<[^>]*</); // no stray '<' inside a tag
}

/** The text of the first `<g class="cls">` … matching `</g>` (nested groups included). */
function group(svg: string, cls: string): string {
  const start = svg.indexOf(`<g class="${cls}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  let depth = 0;
  for (const m of svg.slice(start).matchAll(/<(\/?)g\b[^>]*?(\/?)>/g)) {
    if (m[2]) continue;
    depth += m[1] ? -1 : 1;
    if (depth === 0) return svg.slice(start, start + m.index! + m[0].length);
  }
  throw new Error(`unclosed group ${cls}`);
}

/** Every `<g class="drone" ...>` group of a panel, in order. */
function drones(panel: string): string[] {
  const out: string[] = [];
  let rest = panel;
  for (;;) {
    const i = rest.indexOf('<g class="drone"');
    if (i < 0) return out;
    const g = group(rest.slice(i), 'drone');
    out.push(g);
    rest = rest.slice(i + g.length);
  }
}

const numbers = (tag: string, names: string[]): number[] => names.map((n) => Number(new RegExp(` ${n}="([^"]*)"`).exec(tag)![1]));

/** A level drone at (x, y, z) with yaw `yaw` (rad). */
function drone(x: number, y: number, z: number, yaw = 0): number[] {
  return [x, y, z, Math.cos(yaw / 2), 0, 0, Math.sin(yaw / 2), 0, 0, 0, 0, 0, 0];
}

// A 3v3 scene on the 12 × 6 court: team 0 at x > 0, team 1 mirrored; drone 3 yawed by π/2.
const START = [[3, -1.5], [3, 1.5], [6, 0], [-3, 1.5], [-3, -1.5], [-6, 0]];
const HITS = [[0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 0]];
const METRICS = { team0Win: 1, team1Win: 0, draw: 0, numHits: 2, numTurns: 1, endCase: 4 };
const FRAMES: VolleyballFrame[] = HITS.map((hits, k) => ({
  drones: START.flatMap(([x, y], a) => drone(x, y - 0.1 * k * (a === 0 ? 1 : 0), 2, a === 3 ? Math.PI / 2 : 0)),
  ball: [3 - 2 * k, -1.5, 3 - 0.2 * k, 0, 0, 0],
  board: [0, 0, 0, 0, 0, 0],
  hits,
  ...(k === HITS.length - 1 ? { episode: METRICS } : {}),
}));
const TEAMS = [0, 0, 0, 1, 1, 1];
// Layout documented on renderVolleyballSvg: 10 px padding, 62 px caption, 20 px between panels.
const S = 20, M = 1, L = 12, W = 6, Z = 6;
const px = (x: number): number => 10 + (x + L / 2 + M) * S;
const pyTop = (y: number): number => 62 + (W / 2 + M - y) * S;
const sideTop = 62 + (W + 2 * M) * S + 20;
const pySide = (z: number): number => sideTop + (Z - z) * S;

describe('renderVolleyballSvg', () => {
  const opts = { court: [L, W] as const, teams: TEAMS, title: 'Volleyball-3v3-v0 <test>', pixelsPerMeter: S, marginMeters: M, maxHeight: Z };
  const svg = renderVolleyballSvg(FRAMES, opts);
  const top = group(svg, 'top-view');
  const side = group(svg, 'side-view');

  it('is one balanced standalone svg document with an escaped title and both panels', () => {
    expectBalanced(svg);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('<title>Volleyball-3v3-v0 &lt;test&gt;</title>');
    expect(svg.match(/class="top-view"/g)).toHaveLength(1);
    expect(svg.match(/class="side-view"/g)).toHaveLength(1);
    expect(numbers(svg.slice(0, svg.indexOf('>')), ['width', 'height'])).toEqual([2 * 10 + (L + 2 * M) * S, sideTop + (Z + 0.5) * S + 10]);
  });

  it('draws one drone per agent in each panel, coloured by team', () => {
    for (const panel of [top, side]) {
      const groups = drones(panel);
      expect(groups.map((g) => Number(/data-agent="(\d+)"/.exec(g)![1]))).toEqual([0, 1, 2, 3, 4, 5]);
      const fills = groups.map((g) => /<rect [^>]*fill="([^"]+)"/.exec(g)![1]);
      expect(new Set(fills.slice(0, 3)).size).toBe(1);
      expect(new Set(fills.slice(3)).size).toBe(1);
      expect(fills[0]).not.toBe(fills[3]);
      expect(fills[0]).toBe(VOLLEYBALL_TEAM_COLORS[0]);
    }
  });

  it('draws the net at x = 0 in both views, 2.43 m high in the side view', () => {
    const topNet = numbers(/<line class="net"[^>]*>/.exec(top)![0], ['x1', 'y1', 'x2', 'y2']);
    expect(topNet).toEqual([px(0), pyTop(W / 2), px(0), pyTop(-W / 2)]);
    expect(topNet[0]).toBe(150);
    const sideNet = numbers(/<line class="net"[^>]*>/.exec(side)![0], ['x1', 'y1', 'x2', 'y2']);
    expect(sideNet[0]).toBe(px(0));
    expect(sideNet[2]).toBe(px(0));
    expect(sideNet[1]).toBeCloseTo(pySide(0), 6);
    expect(sideNet[3]).toBeCloseTo(pySide(2.43), 6);
    expect(sideNet[1] - sideNet[3]).toBeCloseTo(2.43 * S, 6);
  });

  it('places and orients drones from their state', () => {
    const [d0Top] = drones(top);
    expect(d0Top).toContain(`transform="translate(${px(3)} ${pyTop(-1.5)})"`);
    // Drone 0 moves by −0.1 m in y per frame: one translate value per frame.
    const values = /type="translate" values="([^"]*)"/.exec(d0Top)![1].split(';');
    expect(values).toEqual([0, 1, 2, 3].map((k) => `${px(3)} ${Number((pyTop(-1.5 - 0.1 * k)).toFixed(1))}`));
    // Yaw +90° (counter-clockwise seen from above) is a −90° screen rotation (y points down).
    expect(drones(top)[3]).toContain('transform="rotate(-90)"');
    expect(drones(side)[0]).toContain(`transform="translate(${px(3)} ${pySide(2)})"`);
  });

  it('marks hits exactly on the frames where hits is 1', () => {
    for (const panel of [top, side]) {
      drones(panel).forEach((g, a) => {
        const hitFrames = HITS.map((h) => h[a]);
        const ring = /<circle class="hit"[^>]*>(.*?)<\/circle>/.exec(g);
        if (!hitFrames.includes(1)) {
          expect(ring).toBeNull();
          return;
        }
        expect(ring![0]).toContain(`opacity="${hitFrames[0]}"`);
        expect(/attributeName="opacity" values="([^"]*)"/.exec(ring![1])![1]).toBe(hitFrames.join(';'));
      });
    }
  });

  it('has a step counter and the result from the final frame on', () => {
    expect(svg).toContain('step 3 / 3');
    const result = /<text class="result"[^>]*>(.*?)<animate [^>]*values="([^"]*)"/.exec(svg)!;
    expect(result[1]).toBe(escapeText(`team 0 wins: ball grounded in a team's half (2 hits)`));
    expect(result[2]).toBe('hidden;hidden;hidden;visible');
    expect(describeVolleyballEpisode({ inTarget: 1, spikeVz: Number.NaN })).toBe('episode ended: inTarget=1, spikeVz=n/a');
  });

  it('draws the ball, and the board only when a frame has one', () => {
    expect(top.match(/class="ball"/g)).toHaveLength(1);
    expect(side.match(/class="ball"/g)).toHaveLength(1);
    expect(svg).not.toContain('class="board"');
    const withBoard = FRAMES.map((f) => ({ ...f, board: [-4, 0, 0.5, 0, 0, 1] }));
    const b = renderVolleyballSvg(withBoard, opts);
    expect(group(b, 'top-view')).toContain(`class="board" transform="translate(${px(-4)} ${pyTop(0)})"`);
    // A vertical axis: a circle of radius 0.5 m from above, a 1 m × 0.3 m ellipse from the side.
    expect(group(b, 'top-view')).toMatch(new RegExp(`<ellipse rx="${0.5 * S}" ry="${0.5 * S}"`));
    expect(group(b, 'side-view')).toMatch(new RegExp(`rotate\\(-90\\)"><ellipse rx="${0.15 * S}" ry="${0.5 * S}"`));
  });

  it('is deterministic with at most 3 decimals, and colours drills by agent', () => {
    expect(renderVolleyballSvg(FRAMES, opts)).toBe(svg);
    expect(svg).not.toMatch(/\d\.\d{4,}/);
    const coop = renderVolleyballSvg(FRAMES, { ...opts, teams: undefined });
    const fills = drones(group(coop, 'top-view')).map((g) => /<rect [^>]*fill="([^"]+)"/.exec(g)![1]);
    expect(new Set(fills).size).toBe(6);
  });

  it('rejects empty or inconsistent frames', () => {
    expect(() => renderVolleyballSvg([], opts)).toThrow(/at least one frame/);
    expect(() => renderVolleyballSvg([{ ...FRAMES[0], hits: [0] }], opts)).toThrow(/drones has length 78, expected 13/);
    expect(() => renderVolleyballSvg([{ ...FRAMES[0], ball: [Number.NaN, 0, 0, 0, 0, 0] }], opts)).toThrow(/not finite/);
  });
});

function escapeText(s: string): string {
  return s.replace(/'/g, '&apos;');
}

describe.skipIf(!native)('volleyball rendering of a real episode', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hit rings follow infos.hits of the env, step by step', () => {
    // Hovering drones under a dropped serve: the server's drone bounces the ball (seed 1: a hit).
    const record = make('Volleyball-3v3-v0', { numEnvs: 1, seed: 1, autoresetMode: 'next-step' });
    const infos = record.reset().infos as VolleyballInfos;
    const hits: number[][] = [Array.from(infos.hits)];
    for (let t = 0; t < 120 && !infos.episode.done[0]; t++) {
      record.actions.fill(HOVER);
      record.step();
      hits.push(Array.from(infos.hits));
    }
    record.close();
    expect(hits.some((h) => h.includes(1))).toBe(true);

    const env = make('Volleyball-3v3-v0', { numEnvs: 1, seed: 1, autoresetMode: 'next-step' });
    const frames = collectVolleyballFrames(env, 0, 120, () => env.actions.fill(HOVER));
    const court = env.metadata.config.court;
    env.close();
    expect(frames).toHaveLength(hits.length);
    const svg = renderVolleyballSvg(frames, { court, teams: [0, 0, 0, 1, 1, 1] });
    expectBalanced(svg);
    drones(group(svg, 'top-view')).forEach((g, a) => {
      const expected = hits.map((h) => h[a]);
      const ring = /<circle class="hit"[^>]*>(.*?)<\/circle>/.exec(g);
      if (!expected.includes(1)) expect(ring).toBeNull();
      else expect(/attributeName="opacity" values="([^"]*)"/.exec(ring![1])![1]).toBe(expected.join(';'));
    });
  });

  it('the render CLI writes an SVG for Volleyball-3v3-v0 and prints summaries without --out', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mw-vb-render-')), 'rally.svg');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await renderCommand(['Volleyball-3v3-v0', '--steps', '40', '--seed', '3', '--out', file])).toBe(0);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(`wrote ${file}`);
    const svg = readFileSync(file, 'utf8');
    expectBalanced(svg);
    expect(drones(group(svg, 'top-view'))).toHaveLength(6);
    expect(drones(group(svg, 'side-view'))).toHaveLength(6);
    expect(svg).toContain('Volleyball-3v3-v0 env 0 seed 3');

    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await renderCommand(['Volleyball-1v1-v0', '--steps', '3', '--policy', 'hover'])).toBe(0);
    const text = stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toMatch(/^step {4}0 {2}ball \(/);
    expect(text.trimEnd().split('\n')).toHaveLength(5);
    await expect(renderCommand(['Volleyball-3v3-v0', '--agents', '3'])).rejects.toThrow(UsageError);
    await expect(renderCommand(['Volleyball-3v3-v0', '--policy', 'greedy'])).rejects.toThrow(/scripted, hover or random/);
  });
});
