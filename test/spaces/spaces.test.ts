import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { CounterRng } from '../../src/rng.js';
import {
  Box, Dict, Discrete, MultiDiscrete, Space, batchSpace, createTypedArray, shapeSize,
} from '../../src/spaces/index.js';

const N = 1000;

function expectAlwaysContained(space: Space<unknown>, seed = 1): void {
  const rng = new CounterRng(seed);
  for (let i = 0; i < N; i++) {
    const x = space.sample(rng);
    if (!space.contains(x)) throw new Error(`${space.toString()}: sample ${String(x)} not contained`);
  }
}

function expectDeterministic(space: Space<unknown>): void {
  const a = new CounterRng(77);
  const b = new CounterRng(77);
  const c = new CounterRng(78);
  const sa = Array.from({ length: 20 }, () => space.sample(a));
  const sb = Array.from({ length: 20 }, () => space.sample(b));
  const sc = Array.from({ length: 20 }, () => space.sample(c));
  expect(sa).toEqual(sb);
  expect(sa).not.toEqual(sc);
}

describe('Discrete', () => {
  it('has int32 dtype and scalar shape', () => {
    const d = new Discrete(5);
    expect(d.dtype).toBe('int32');
    expect(d.shape).toEqual([]);
    expect(d.toString()).toBe('Discrete(5)');
    expect(new Discrete(3, -1).toString()).toBe('Discrete(3, start=-1)');
    expect(d.toJSON()).toEqual({ type: 'Discrete', n: 5, start: 0 });
  });

  it('contains integers in [start, start + n) only', () => {
    const d = new Discrete(3, -1);
    expect([-1, 0, 1].every((v) => d.contains(v))).toBe(true);
    for (const bad of [-2, 2, 0.5, NaN, Infinity, '0', null, undefined, 0n, [0], new Int32Array([0])]) {
      expect(d.contains(bad)).toBe(false);
    }
  });

  it('samples are contained, cover the range and are deterministic', () => {
    const d = new Discrete(7, 10);
    expectAlwaysContained(d);
    expectDeterministic(d);
    const rng = new CounterRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < N; i++) seen.add(d.sample(rng));
    expect([...seen].sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15, 16]);
  });

  it('rejects bad arguments', () => {
    for (const args of [[0], [-1], [1.5], [NaN], [2, 0.5], [2, 2147483647], [Infinity]] as Array<[number, number?]>) {
      expect(() => new Discrete(...args)).toThrow(InvalidArgumentError);
    }
  });
});

describe('Box', () => {
  it('uses the dtype typed array', () => {
    const rng = new CounterRng(1);
    expect(new Box(0, 1, [2, 3]).sample(rng)).toBeInstanceOf(Float32Array);
    expect(new Box(0, 1, [2], 'float64').sample(rng)).toBeInstanceOf(Float64Array);
    expect(new Box(0, 9, [2], 'int32').sample(rng)).toBeInstanceOf(Int32Array);
    expect(new Box(0, 255, [2], 'uint8').sample(rng)).toBeInstanceOf(Uint8Array);
    const b = new Box(0, 1, [2, 3]);
    expect(b.size).toBe(6);
    expect(b.sample(rng)).toHaveLength(6);
    expect(b.shape).toEqual([2, 3]);
    expect(b.dtype).toBe('float32');
  });

  it('samples are always contained (all bound kinds and dtypes)', () => {
    const spaces: Space<unknown>[] = [
      new Box(-1, 1, [4]),
      new Box(0.1, 0.3, [3]),
      new Box([0, -5, 2], [1, 5, 2], [3], 'float64'),
      new Box(-Infinity, Infinity, [4]),
      new Box([0, -Infinity, -Infinity, 3], [Infinity, 7, Infinity, 3], [2, 2], 'float64'),
      new Box(-3.4e38, 3.4e38, [3]),
      new Box(-1.7e308, 1.7e308, [3], 'float64'),
      new Box(-3, 4, [5], 'int32'),
      new Box(-Infinity, Infinity, [5], 'int32'),
      new Box(0, 255, [8], 'uint8'),
      new Box(-Infinity, 3, [8], 'uint8'),
      new Box(0, 1, [0]),
    ];
    spaces.forEach((s, i) => expectAlwaysContained(s, i + 1));
  });

  it('is deterministic for the same CounterRng seed', () => {
    expectDeterministic(new Box(-1, 1, [3]));
    expectDeterministic(new Box(-Infinity, Infinity, [3], 'float64'));
    expectDeterministic(new Box(0, 100, [3], 'int32'));
  });

  it('integer sampling covers [low, high] inclusive, roughly uniformly', () => {
    const b = new Box(-2, 3, [1], 'int32');
    const rng = new CounterRng(5);
    const counts = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const v = b.sample(rng)[0];
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, c) => a - c)).toEqual([-2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(c).toBeGreaterThan(800);
    const u8 = new Box(254, 255, [1], 'uint8');
    const seen = new Set<number>();
    for (let i = 0; i < 100; i++) seen.add(u8.sample(rng)[0]);
    expect([...seen].sort()).toEqual([254, 255]);
  });

  it('float sampling spreads over the interval', () => {
    const b = new Box(10, 20, [1], 'float64');
    const rng = new CounterRng(9);
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < N; i++) {
      const v = b.sample(rng)[0];
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeLessThan(10.1);
    expect(max).toBeGreaterThan(19.9);
  });

  it('rejects wrong type, dtype, length, NaN and out-of-range values', () => {
    const b = new Box(0, 1, [3]);
    expect(b.contains(new Float32Array([0, 0.5, 1]))).toBe(true);
    expect(b.contains(new Float64Array([0, 0.5, 1]))).toBe(false);
    expect(b.contains([0, 0.5, 1])).toBe(false);
    expect(b.contains(new Float32Array([0, 0.5]))).toBe(false);
    expect(b.contains(new Float32Array([0, 0.5, 1, 1]))).toBe(false);
    expect(b.contains(new Float32Array([0, NaN, 1]))).toBe(false);
    expect(b.contains(new Float32Array([0, 1.5, 1]))).toBe(false);
    expect(b.contains(new Float32Array([-0.001, 0, 1]))).toBe(false);
    expect(b.contains(null)).toBe(false);
    expect(b.contains(0.5)).toBe(false);
    const inf = new Box(-Infinity, Infinity, [1], 'float64');
    expect(inf.contains(Float64Array.of(Infinity))).toBe(true);
    expect(inf.contains(Float64Array.of(NaN))).toBe(false);
    const ints = new Box(0, 4, [2], 'int32');
    expect(ints.contains(Int32Array.of(0, 4))).toBe(true);
    expect(ints.contains(Int32Array.of(0, 5))).toBe(false);
    expect(ints.contains(Uint8Array.of(0, 4))).toBe(false);
    expect(ints.containsFlat([0, 2.5])).toBe(false);
  });

  it('per-element bounds are checked per element', () => {
    const b = new Box([0, 10], [1, 20], [2], 'float64');
    expect(b.contains(Float64Array.of(1, 10))).toBe(true);
    expect(b.contains(Float64Array.of(10, 1))).toBe(false);
    expect(b.lowAt(1)).toBe(10);
    expect(Array.from(b.high)).toEqual([1, 20]);
  });

  it('containsFlat checks a window of a large buffer without allocating', () => {
    const b = new Box(0, 1, [2, 2], 'uint8');
    const buf = new Uint8Array(4 * 1000);
    buf[4 * 500 + 3] = 2;
    expect(b.containsFlat(buf, 4 * 499)).toBe(true);
    expect(b.containsFlat(buf, 4 * 500)).toBe(false);
    expect(b.firstInvalid(buf, 4 * 500)).toBe(3);
    expect(b.containsFlat(buf, 4 * 999 + 1)).toBe(false); // runs past the end
    expect(batchSpace(b, 1000).containsFlat(buf)).toBe(false);
    buf[4 * 500 + 3] = 1;
    expect(batchSpace(b, 1000).contains(buf)).toBe(true);
  });

  it('normalises bounds: float32 rounding and integer infinities', () => {
    const f = new Box(0.1, 0.3, [1]);
    expect(f.lowAt(0)).toBe(Math.fround(0.1));
    expect(f.contains(Float32Array.of(0.3))).toBe(true);
    const u8 = new Box(-Infinity, Infinity, [1], 'uint8');
    expect([u8.lowAt(0), u8.highAt(0)]).toEqual([0, 255]);
    expect(u8.isBounded()).toBe(true);
    expect(new Box(0, Infinity, [1]).isBounded()).toBe(false);
    expect(new Box(0, Infinity, [2]).toJSON()).toEqual({ type: 'Box', shape: [2], dtype: 'float32', low: 0, high: 'inf' });
    expect(JSON.parse(JSON.stringify(new Box([0, 1], 2, [2])))).toEqual({
      type: 'Box', shape: [2], dtype: 'float32', low: [0, 1], high: 2,
    });
    expect(new Box(0, 1, [3, 4]).toString()).toBe('Box(0, 1, [3, 4], float32)');
  });

  it('rejects bad constructor arguments', () => {
    const bad: Array<() => unknown> = [
      () => new Box(1, 0, [1]),
      () => new Box([0, 2], [1, 1], [2]),
      () => new Box(NaN, 1, [1]),
      () => new Box(0, NaN, [1]),
      () => new Box([0, 0, 0], 1, [2]),
      () => new Box(0, 1, [-1]),
      () => new Box(0, 1, [1.5]),
      () => new Box(0, 1, [2], 'int64' as 'int32'),
      () => new Box(0.5, 3, [1], 'int32'),
      () => new Box(-1, 3, [1], 'uint8'),
      () => new Box(0, 256, [1], 'uint8'),
      () => new Box(0, 1e39, [1]),
      () => new Box(0, 'x' as unknown as number, [1]),
    ];
    for (const f of bad) expect(f).toThrow(InvalidArgumentError);
  });
});

describe('MultiDiscrete', () => {
  it('contains Int32Arrays with each component in [0, nvec[i])', () => {
    const m = new MultiDiscrete([2, 3, 5]);
    expect(m.shape).toEqual([3]);
    expect(m.dtype).toBe('int32');
    expect(m.contains(Int32Array.of(1, 2, 4))).toBe(true);
    expect(m.contains(Int32Array.of(2, 0, 0))).toBe(false);
    expect(m.contains(Int32Array.of(0, 0, -1))).toBe(false);
    expect(m.contains(Int32Array.of(0, 0))).toBe(false);
    expect(m.contains(Float32Array.of(0, 0, 0))).toBe(false);
    expect(m.contains([0, 0, 0])).toBe(false);
    expect(m.containsFlat([0, 0, 0.5])).toBe(false);
    expect(m.containsFlat([0, 0, NaN])).toBe(false);
    expect(m.containsFlat([9, 1, 0, 0], 1)).toBe(true);
    expect(m.toString()).toBe('MultiDiscrete([2, 3, 5])');
    expect(m.toJSON()).toEqual({ type: 'MultiDiscrete', nvec: [2, 3, 5], start: [0, 0, 0] });
  });

  it('samples are contained, cover each range and are deterministic', () => {
    const m = new MultiDiscrete([1, 4, 9]);
    expectAlwaysContained(m);
    expectDeterministic(m);
    const rng = new CounterRng(4);
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let i = 0; i < N; i++) m.sample(rng).forEach((v, j) => seen[j].add(v));
    expect(seen.map((s) => s.size)).toEqual([1, 4, 9]);
  });

  it('supports start offsets', () => {
    const m = new MultiDiscrete([3, 3], [-1, 5]);
    expect(m.contains(Int32Array.of(-1, 7))).toBe(true);
    expect(m.contains(Int32Array.of(2, 5))).toBe(false);
    expectAlwaysContained(m);
  });

  it('rejects bad arguments', () => {
    for (const nvec of [[0], [2, -1], [1.5], [NaN], [2 ** 32]]) {
      expect(() => new MultiDiscrete(nvec)).toThrow(InvalidArgumentError);
    }
    expect(() => new MultiDiscrete([2, 2], [0])).toThrow(InvalidArgumentError);
    expect(() => new MultiDiscrete(null as unknown as number[])).toThrow(InvalidArgumentError);
  });
});

describe('Dict', () => {
  const make = () => new Dict({ pos: new Box(0, 10, [2], 'int32'), act: new Discrete(5), v: new Box(-1, 1, [1]) });

  it('contains objects with exactly its keys', () => {
    const d = make();
    expect(d.keys()).toEqual(['act', 'pos', 'v']);
    expect(d.dtype).toBeNull();
    expect(d.contains({ pos: Int32Array.of(1, 2), act: 4, v: Float32Array.of(0) })).toBe(true);
    expect(d.contains({ pos: Int32Array.of(1, 2), act: 5, v: Float32Array.of(0) })).toBe(false);
    expect(d.contains({ pos: Int32Array.of(1, 2), act: 4 })).toBe(false);
    expect(d.contains({ pos: Int32Array.of(1, 2), act: 4, v: Float32Array.of(0), extra: 1 })).toBe(false);
    expect(d.contains({ pos: Int32Array.of(1, 2), act: 4, w: Float32Array.of(0) })).toBe(false);
    expect(d.contains(null)).toBe(false);
    expect(d.contains([1, 2, 3])).toBe(false);
    expect(d.toString()).toBe('Dict(act: Discrete(5), pos: Box(0, 10, [2], int32), v: Box(-1, 1, [1], float32))');
  });

  it('samples are contained and deterministic, independent of insertion order', () => {
    const d = make();
    expectAlwaysContained(d);
    expectDeterministic(d);
    const d2 = new Dict({ v: new Box(-1, 1, [1]), act: new Discrete(5), pos: new Box(0, 10, [2], 'int32') });
    expect(d2.sample(new CounterRng(3))).toEqual(d.sample(new CounterRng(3)));
    expect(d2.equals(d)).toBe(true);
    const act: number = d.sample(new CounterRng(1)).act;
    expect(typeof act).toBe('number');
  });

  it('rejects non-space members', () => {
    expect(() => new Dict({ a: 3 as unknown as Discrete })).toThrow(InvalidArgumentError);
    expect(() => new Dict(null as unknown as Record<string, Discrete>)).toThrow(InvalidArgumentError);
  });
});

describe('batchSpace', () => {
  it('Discrete -> MultiDiscrete of n copies', () => {
    const b = batchSpace(new Discrete(5), 4);
    expect(b).toBeInstanceOf(MultiDiscrete);
    expect(b.shape).toEqual([4]);
    expect(b.nvec).toEqual([5, 5, 5, 5]);
    const s = batchSpace(new Discrete(3, 2), 2);
    expect(s.contains(Int32Array.of(2, 4))).toBe(true);
    expect(s.contains(Int32Array.of(0, 4))).toBe(false);
  });

  it('Box -> Box with a leading batch axis and tiled bounds', () => {
    const b = batchSpace(new Box([0, 1], [2, 3], [2], 'float64'), 3);
    expect(b).toBeInstanceOf(Box);
    expect(b.shape).toEqual([3, 2]);
    expect(b.dtype).toBe('float64');
    expect(Array.from(b.low)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(b.high)).toEqual([2, 3, 2, 3, 2, 3]);
    const big = batchSpace(new Box(0, 255, [3, 11, 11], 'uint8'), 4096);
    expect(big.shape).toEqual([4096, 3, 11, 11]);
    expect(big.uniformBounds).toBe(true);
    expect(big.size).toBe(4096 * 363);
  });

  it('MultiDiscrete -> flat MultiDiscrete with tiled nvec', () => {
    const b = batchSpace(new MultiDiscrete([2, 3]), 3);
    expect(b.shape).toEqual([6]);
    expect(b.nvec).toEqual([2, 3, 2, 3, 2, 3]);
  });

  it('Dict -> Dict of batched subspaces', () => {
    const b = batchSpace(new Dict({ a: new Discrete(2), o: new Box(0, 1, [2]) }), 5);
    expect(b).toBeInstanceOf(Dict);
    expect(b.spaces.a.shape).toEqual([5]);
    expect(b.spaces.o.shape).toEqual([5, 2]);
    expectAlwaysContained(b);
  });

  it('batched samples are contained', () => {
    expectAlwaysContained(batchSpace(new Box(-1, 1, [3]), 4));
    expectAlwaysContained(batchSpace(new MultiDiscrete([2, 7]), 4));
  });

  it('rejects bad n', () => {
    for (const n of [0, -1, 1.5, NaN]) expect(() => batchSpace(new Discrete(2), n)).toThrow(InvalidArgumentError);
  });
});

describe('helpers', () => {
  it('shapeSize and createTypedArray', () => {
    expect(shapeSize([])).toBe(1);
    expect(shapeSize([2, 3, 0])).toBe(0);
    expect(() => shapeSize([2, -1])).toThrow(InvalidArgumentError);
    expect(createTypedArray('uint8', 3)).toEqual(new Uint8Array(3));
    expect(createTypedArray('float64', 2)).toBeInstanceOf(Float64Array);
  });
});

describe('Discrete.sample with a mask (Gymnasium sample(mask))', () => {
  it('draws only allowed values, each about equally often, with one word per draw', () => {
    const d = new Discrete(6, 10);
    const mask = Uint8Array.from([0, 1, 0, 1, 1, 0]);
    const rng = new CounterRng(3);
    const counts = new Map<number, number>();
    const draws = 30_000;
    for (let i = 0; i < draws; i++) {
      const v = d.sample(rng, mask);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([11, 13, 14]);
    // Binomial(30000, 1/3): sd ≈ 81.6; allow 4.5 sd.
    for (const c of counts.values()) expect(Math.abs(c - draws / 3)).toBeLessThan(4.5 * Math.sqrt(draws * (1 / 3) * (2 / 3)));
    // One word per draw: the k-th allowed value for k = below(3) of the same stream.
    const a = new CounterRng(9), b = new CounterRng(9);
    for (let i = 0; i < 100; i++) expect(d.sample(a, [false, true, false, true, true, false])).toBe(10 + [1, 3, 4][b.below(3)]);
  });

  it('a single allowed value is always drawn; a mask of the wrong length or allowing nothing is refused', () => {
    const d = new Discrete(4);
    const rng = new CounterRng(1);
    for (let i = 0; i < 20; i++) expect(d.sample(rng, [0, 0, 1, 0])).toBe(2);
    expect(() => d.sample(rng, [0, 0, 0, 0])).toThrow(/the mask allows none of the 4 values/);
    expect(() => d.sample(rng, [1, 1])).toThrow(/mask must hold n = 4 entries, got 2 entries/);
    expect(() => d.sample(rng, 5 as never)).toThrow(InvalidArgumentError);
    expect(() => d.sample(rng, null as never)).toThrow(/mask must hold n = 4 entries, got null/);
  });
});
