import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CounterRng, RngStream, mulhi32, philox4x32_10, rngBelow, rngDraw } from '../src/rng.js';

interface Vector {
  comment: string;
  seed: number;
  stream: number;
  env: number;
  episode: number;
  step: number;
  index: number;
  words: string[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/rng-vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const hex = (words: ArrayLike<number>): string[] =>
  Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0'));

/** Small independent generator (xorshift32) so the tests do not use the code under test as input. */
function xorshift32(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}

describe('philox4x32_10 known-answer vectors (Random123)', () => {
  const kat: Array<[number[], number[], string[]]> = [
    [[0, 0, 0, 0], [0, 0], ['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff],
      ['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd'],
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0],
      ['d16cfe09', '94fdcceb', '5001e420', '24126ea1'],
    ],
  ];
  it.each(kat)('counter %j key %j', (c, k, expected) => {
    expect(hex(philox4x32_10(c[0], c[1], c[2], c[3], k[0], k[1]))).toEqual(expected);
  });

  it('writes into a caller-provided buffer', () => {
    const out = new Uint32Array(4);
    const r = philox4x32_10(0, 0, 0, 0, 0, 0, out);
    expect(r).toBe(out);
    expect(hex(out)).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
  });
});

describe('rngDraw project mapping (test/fixtures/rng-vectors.json)', () => {
  it('has vectors', () => {
    expect(fixture.vectors.length).toBeGreaterThanOrEqual(6);
  });
  it.each(fixture.vectors.map((v) => [v.comment, v] as const))('%s', (_name, v) => {
    expect(hex(rngDraw(v.seed, v.stream, v.env, v.episode, v.step, v.index))).toEqual(v.words);
  });
  it('is philox with key (seed, stream) and counter (index, step, episode, env)', () => {
    const a = rngDraw(7, RngStream.goals, 11, 13, 17, 19);
    const b = philox4x32_10(19, 17, 13, 11, 7, RngStream.goals);
    expect(Array.from(a)).toEqual(Array.from(b));
  });
});

describe('mulhi32', () => {
  const edges: Array<[number, number, number]> = [
    [0, 0, 0],
    [0xffffffff, 0xffffffff, 0xfffffffe],
    [0xffffffff, 1, 0],
    [0x80000000, 2, 1],
    [0x10000, 0x10000, 1],
    [0xd2511f53, 0xffffffff, 0xd2511f52],
    [0xcd9e8d57, 0x12345678, 0x0e9f2f98],
  ];
  it.each(edges)('mulhi32(%i, %i) = %i', (a, b, hi) => {
    expect(mulhi32(a, b)).toBe(hi);
  });

  it('matches BigInt multiplication on 10k random pairs', () => {
    const next = xorshift32(0x1234567);
    const bad: number[][] = [];
    for (let i = 0; i < 10_000; i++) {
      const a = next();
      const b = next();
      const want = Number((BigInt(a) * BigInt(b)) >> 32n);
      if (mulhi32(a, b) !== want) bad.push([a, b]);
    }
    expect(bad).toEqual([]);
  });
});

describe('rngBelow', () => {
  const edges: Array<[number, number, number]> = [
    [0, 1, 0],
    [0xffffffff, 1, 0],
    [0xffffffff, 10, 9],
    [0x80000000, 10, 5],
    [0x80000000, 3, 1],
    [0x55555555, 3, 0],
    [0x55555556, 3, 1],
    [0x19999999, 10, 0],
    [0x1999999a, 10, 1],
    [0xffffffff, 0xffffffff, 0xfffffffe],
  ];
  it.each(edges)('rngBelow(%i, %i) = %i', (u, n, want) => {
    expect(rngBelow(u, n)).toBe(want);
  });

  it('is floor(u * n / 2^32) and stays in [0, n)', () => {
    const next = xorshift32(99);
    const bad: number[][] = [];
    for (let i = 0; i < 10_000; i++) {
      const u = next();
      const n = (next() % 100_000) + 1;
      const r = rngBelow(u, n);
      const ok = r === Number((BigInt(u) * BigInt(n)) >> 32n) && Number.isInteger(r) && r >= 0 && r < n;
      if (!ok) bad.push([u, n, r]);
    }
    expect(bad).toEqual([]);
  });

  it('is roughly uniform (chi-square)', () => {
    const n = 17;
    const draws = 170_000;
    const counts = new Array<number>(n).fill(0);
    const rng = new CounterRng(2024, RngStream.actions);
    for (let i = 0; i < draws; i++) counts[rngBelow(rng.nextU32(), n)]++;
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + ((c - expected) ** 2) / expected, 0);
    // 16 degrees of freedom: P(chi2 > 39.25) ~ 0.001. Deterministic inputs, so no flakiness.
    expect(chi2).toBeLessThan(39.25);
  });
});

describe('CounterRng', () => {
  it('is deterministic for the same seed, stream and env', () => {
    const a = new CounterRng(5, RngStream.placement, 3);
    const b = new CounterRng(5, RngStream.placement, 3);
    for (let i = 0; i < 100; i++) expect(a.nextU32()).toBe(b.nextU32());
  });

  it('differs across seeds, streams and envs', () => {
    const seq = (r: CounterRng) => Array.from({ length: 8 }, () => r.nextU32());
    const base = seq(new CounterRng(5));
    expect(seq(new CounterRng(6))).not.toEqual(base);
    expect(seq(new CounterRng(5, RngStream.map))).not.toEqual(base);
    expect(seq(new CounterRng(5, RngStream.actions, 1))).not.toEqual(base);
  });

  it('word i is word i % 4 of rngDraw(seed, stream, env, 0, 0, i / 4)', () => {
    const rng = new CounterRng(2024);
    const words = Array.from({ length: 12 }, () => rng.nextU32());
    for (let i = 0; i < 12; i++) {
      expect(words[i]).toBe(rngDraw(2024, RngStream.actions, 0, 0, 0, i >>> 2)[i & 3]);
    }
    expect(hex(words.slice(4, 8))).toEqual(['c20976a7', '662649fd', '2131cfeb', 'c67cde56']);
  });

  it('uniform() is in [0, 1) and below(n) in [0, n)', () => {
    const rng = new CounterRng(1);
    for (let i = 0; i < 1000; i++) {
      const u = rng.uniform();
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      const k = rng.below(7);
      expect(k).toBeGreaterThanOrEqual(0);
      expect(k).toBeLessThan(7);
    }
  });
});
