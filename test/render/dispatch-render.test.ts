import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { availableBackends, make } from '../../src/index.js';
import { UsageError } from '../../src/cli/args.js';
import { renderCommand } from '../../src/cli/render.js';
import { type DispatchCity, gridCity } from '../../src/envs/dispatch/city.js';
import type { DispatchInfos } from '../../src/envs/dispatch/infos.js';
import { makeDispatchPolicy } from '../../src/envs/dispatch/policy.js';
import { DISPATCH_STATUS_COLORS, renderDispatchSvg } from '../../src/render/dispatch-render.js';
import { type DispatchFrame, collectDispatchFrames, describeDispatchEpisode } from '../../src/render/dispatch-frames.js';

const native = availableBackends().some((b) => b.name === 'native' && b.available);

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
  expect(svg).not.toMatch(/<[^>]*</);
}

/** Every `<g class="vehicle" ...>…</g>` (vehicle groups hold no nested groups). */
const vehicles = (svg: string): string[] => [...svg.matchAll(/<g class="vehicle"[^>]*>.*?<\/g>/g)].map((m) => m[0]);
/** Fill of a vehicle's circle on each of `frames` frames. */
function fills(g: string, frames: number): string[] {
  const anim = /<animate attributeName="fill" values="([^"]*)"/.exec(g);
  return anim ? anim[1].split(';') : Array(frames).fill(/<circle [^>]*fill="([^"]+)"/.exec(g)![1]);
}
/** Frame index → assignment lines `vehicle:slot`. */
function assignments(svg: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const m of svg.matchAll(/<g class="assignments" data-frame="(\d+)"[^>]*>(.*?)<\/g>/g)) {
    out.set(Number(m[1]), [...m[2].matchAll(/data-vehicle="(\d+)" data-slot="(\d+)"/g)].map((l) => `${l[1]}:${l[2]}`));
  }
  return out;
}

/** An order row: valid, origin, destination, waited. */
const order = (ox: number, oy: number, dx: number, dy: number, waited = 0): number[] => [1, ox, oy, dx, dy, waited, 0.1, 0.2, 1 / 3];
const EMPTY = [0, 0, 0, 0, 0, 0, 0, 0, 0];
const CITY = gridCity({ width: 4, height: 2, cellKm: 1, speedKmh: 30, intraZoneMin: 1 });
// 3 vehicles, 2 slots, 3 frames: vehicle 1 wins slot 0 on step 1; vehicles 0 and 2 win slots 1 and 0 on step 2.
const FRAMES: DispatchFrame[] = [
  { positions: [0.125, 0.25, 0.375, 0.75, 0.875, 0.25], status: [0, 0, 0], load: [0, 0, 0], orders: [...order(0.125, 0.75, 0.875, 0.75), ...EMPTY], wonSlot: [-1, -1, -1], served: 0, expired: 0 },
  { positions: [0.125, 0.25, 0.25, 0.75, 0.875, 0.25], status: [0, 1, 3], load: [0, 1, 0], orders: [...order(0.625, 0.25, 0.125, 0.25), ...order(0.375, 0.25, 0.375, 0.75)], wonSlot: [-1, 0, -1], served: 1, expired: 0 },
  { positions: [0.25, 0.25, 0.125, 0.75, 0.75, 0.25], status: [1, 2, 1], load: [1, 1, 1], orders: [...EMPTY, ...EMPTY], wonSlot: [1, -1, 0], served: 3, expired: 0, episode: { ordersServed: 3, ordersGenerated: 4, serviceRate: 0.75, ordersExpired: 1, meanPickupMin: 2.5, meanDetourMin: Number.NaN, revenue: 12.25 } },
];

describe('renderDispatchSvg', () => {
  const svg = renderDispatchSvg(FRAMES, { city: CITY, title: 'dispatch <test>', size: 400, frameSeconds: 0.5 });

  it('is one balanced standalone svg with an escaped title, the grid cells and the documented size', () => {
    expectBalanced(svg);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).toContain('<title>dispatch &lt;test&gt;</title>');
    expect(svg.match(/<rect class="zone"/g)).toHaveLength(8);
    // 4 × 2 grid at 400 px wide: 200 px high, 80 px caption, 10 px padding.
    expect(svg).toMatch(/^<svg [^>]*width="420" height="290"/);
    expect(svg).toContain('<rect class="zone" x="10" y="80" width="100" height="100"');
    expect(renderDispatchSvg(FRAMES, { city: CITY, title: 'dispatch <test>', size: 400, frameSeconds: 0.5 })).toBe(svg);
    expect(svg.replace(/keyTimes="[^"]*"/g, '')).not.toMatch(/\d\.\d{4,}/); // at most 3 decimals outside the SMIL key times
  });

  it('draws one vehicle per vehicle, coloured by status on every frame, with its load', () => {
    const groups = vehicles(svg);
    expect(groups.map((g) => Number(/data-vehicle="(\d+)"/.exec(g)![1]))).toEqual([0, 1, 2]);
    groups.forEach((g, v) => {
      expect(fills(g, 3)).toEqual(FRAMES.map((f) => DISPATCH_STATUS_COLORS[f.status[v]]));
      const loads = [...g.matchAll(/<text class="load" data-load="(\d)"/g)].map((m) => Number(m[1]));
      expect(loads).toEqual([...new Set(FRAMES.map((f) => f.load[v]))].sort());
      expect(/type="translate" values="([^"]*)"/.test(g) || FRAMES.every((f) => f.positions[2 * v] === FRAMES[0].positions[2 * v])).toBe(true);
    });
  });

  it('draws pending orders per frame and assignment lines exactly on the steps with a won slot', () => {
    const orders = [...svg.matchAll(/<g class="orders" data-frame="(\d+)"[^>]*>(.*?)<\/g>/g)];
    expect(orders.map((m) => [Number(m[1]), (m[2].match(/<circle class="order"/g) ?? []).length])).toEqual([[0, 1], [1, 2]]);
    expect([...assignments(svg)]).toEqual([[1, ['1:0']], [2, ['0:1', '2:0']]]);
    // The line of vehicle 1 on step 1 ends at slot 0's origin in frame 0: (10 + 0.125·400, 80 + 0.75·200).
    expect(svg).toMatch(/data-vehicle="1" data-slot="0" x1="[\d.]+" y1="[\d.]+" x2="60" y2="230"/);
  });

  it('shows running counts per frame and the episode result from the final frame', () => {
    expect([...svg.matchAll(/<text class="counts"[^>]*>([^<]*)</g)].map((m) => m[1])).toEqual([
      'served 0 · expired 0 · pending 1', 'served 1 · expired 0 · pending 2', 'served 3 · expired 0 · pending 0',
    ]);
    const result = /<text class="result"[^>]*>([^<]*)<animate [^>]*values="([^"]*)"/.exec(svg)!;
    expect(result[1]).toBe('served 3 of 4 orders (service rate 0.75), 1 expired; mean pickup 2.5 min, detour n/a min; revenue 12.25');
    expect(result[2]).toBe('hidden;hidden;visible');
    expect(svg).toContain('step 2 / 2');
    expect(describeDispatchEpisode({})).toContain('served n/a');
  });

  it('draws zone dots for a matrix city and rejects bad frames', () => {
    const matrix = { kind: 'matrix' as const, numZones: 3, width: 0, height: 0, zoneXY: new Float32Array([0.1, 0.1, 0.5, 0.9, 0.9, 0.4]) };
    const m = renderDispatchSvg(FRAMES, { city: matrix });
    expect(m.match(/<circle class="zone"/g)).toHaveLength(3);
    expect(m).toMatch(/^<svg [^>]*width="620" height="690"/);
    expect(() => renderDispatchSvg([], { city: CITY })).toThrow(/at least one frame/);
    expect(() => renderDispatchSvg([{ ...FRAMES[0], load: [0] }], { city: CITY })).toThrow(/load has length 1, expected 3/);
    expect(() => renderDispatchSvg([FRAMES[0], { ...FRAMES[1], wonSlot: [1, -1, -1] }], { city: CITY })).toThrow(/holds no order/);
    expect(() => renderDispatchSvg(FRAMES, { city: CITY, size: 0 })).toThrow(/positive/);
  });
});

describe.skipIf(!native)('dispatch rendering of a real episode', () => {
  afterEach(() => vi.restoreAllMocks());

  it('vehicle colours follow infos.vehicleStatus and assignment lines infos.wonSlot; counts match the metrics', () => {
    const env = make('RideDispatch-v0', { numEnvs: 2, seed: 7, autoresetMode: 'next-step', config: { pairInsertionCost: true, numVehicles: 12 } });
    const status: number[][] = [], won: number[][] = [];
    const greedy = makeDispatchPolicy('greedy', env, 0);
    let infos: DispatchInfos | undefined;
    const frames = collectDispatchFrames(env, 1, 100, (obs, i) => {
      infos = i;
      status.push(Array.from(i.vehicleStatus.subarray(12, 24)));
      won.push(Array.from(i.wonSlot.subarray(12, 24)));
      greedy(obs, i);
    });
    status.push(Array.from(infos!.vehicleStatus.subarray(12, 24)));
    won.push(Array.from(infos!.wonSlot.subarray(12, 24)));
    const city = env.metadata.city as DispatchCity;
    env.close();
    expect(frames).toHaveLength(61); // the reset state and one episode of 60 steps
    const last = frames[60];
    expect(last.episode).toBeDefined();
    expect(last.served).toBe(last.episode!.ordersServed);
    expect(last.expired).toBe(last.episode!.ordersExpired);
    const svg = renderDispatchSvg(frames, { city });
    expectBalanced(svg);
    const groups = vehicles(svg);
    expect(groups).toHaveLength(12);
    groups.forEach((g, v) => expect(fills(g, 61)).toEqual(status.map((s) => DISPATCH_STATUS_COLORS[s[v]])));
    const expected = won.flatMap((w, k) => {
      const lines = w.flatMap((s, v) => (s >= 0 ? [`${v}:${s}`] : []));
      return k > 0 && lines.length > 0 ? [[k, lines] as const] : [];
    });
    expect(expected.length).toBeGreaterThan(5);
    expect([...assignments(svg)]).toEqual(expected);
  });

  it('the render CLI writes an SVG for RideDispatch-v0 and prints summaries without --out', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mw-dispatch-render-')), 'city.svg');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await renderCommand(['RideDispatch-v0', '--steps', '12', '--vehicles', '6', '--policy', 'hungarian', '--out', file])).toBe(0);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(`wrote ${file}: 13 frames`);
    const svg = readFileSync(file, 'utf8');
    expectBalanced(svg);
    expect(vehicles(svg)).toHaveLength(6);
    expect(svg).toContain('RideDispatch-v0 env 0 seed 0 (hungarian)');

    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await renderCommand(['RideDispatch-v0', '--steps', '3', '--policy', 'random', '--vehicles', '4'])).toBe(0);
    const text = stdout.mock.calls.map((c) => String(c[0])).join('');
    expect(text).toMatch(/^step {4}0 {2}idle 4, to pickup 0/);
    expect(text.trimEnd().split('\n')).toHaveLength(5);
    await expect(renderCommand(['RideDispatch-v0', '--agents', '3'])).rejects.toThrow(UsageError);
    await expect(renderCommand(['RideDispatch-v0', '--policy', 'scripted'])).rejects.toThrow(/greedy, hungarian, random or noop/);
    await expect(renderCommand(['MAPF-v0', '--vehicles', '3'])).rejects.toThrow(/--vehicles/);
  });
});
