/**
 * float32 and uint8 observations hold the same values: the two dtypes go through different copy
 * paths in the native core (byte planes moved with 16-byte row copies, float rows expanded through
 * a table), so each checks the other, across radii and map widths on both sides of 16 columns.
 */
import { describe, expect, it } from 'vitest';
import { CounterRng, make, maps, type MapfConfig } from '../../src/index.js';
import { mapfBackends } from '../helpers/mapf.js';

const cases: Array<Partial<MapfConfig>> = [
  { size: 20, obsRadius: 5, numAgents: 24, collisionSystem: 'priority' },
  { size: 20, obsRadius: 7, numAgents: 16, collisionSystem: 'soft', onTarget: 'restart' },
  { size: 6, obsRadius: 4, numAgents: 6, collisionSystem: 'blockBoth' },
  { size: 40, obsRadius: 3, numAgents: 30, onTarget: 'nothing' },
  { size: 12, obsRadius: 6, numAgents: 10 },
];

for (const backend of mapfBackends()) {
  describe(`${backend}: observation dtypes agree`, () => {
    for (const cfg of cases) {
      it(`${JSON.stringify(cfg)}`, () => {
        const opts = { numEnvs: 3, seed: 11, backend, config: { density: 0.25, maxEpisodeSteps: 20, ...cfg } };
        const f = make('MAPF-v0', { ...opts, config: { ...opts.config, obsDtype: 'float32' } });
        const u = make('MAPF-v0', { ...opts, config: { ...opts.config, obsDtype: 'uint8' } });
        try {
          const rng = new CounterRng(5);
          let fo = f.reset().obs, uo = u.reset().obs;
          expect(uo).toBeInstanceOf(Uint8Array);
          expect(fo).toBeInstanceOf(Float32Array);
          for (let t = 0; t < 45; t++) {
            expect(Array.from(uo)).toEqual(Array.from(fo));
            for (let i = 0; i < f.actions.length; i++) f.actions[i] = rng.below(5);
            u.actions.set(f.actions);
            fo = f.step().obs;
            uo = u.step().obs;
          }
          // Every observation has exactly one goal one-hot and no value other than 0 or 1.
          const per = f.obsSize, plane = per / 3;
          for (let a = 0; a < fo.length / per; a++) {
            let ones = 0;
            for (let i = 2 * plane; i < per; i++) ones += fo[a * per + i];
            expect(ones).toBe(1);
          }
          expect(fo.every((v) => v === 0 || v === 1)).toBe(true);
        } finally {
          f.close();
          u.close();
        }
      });
    }
  });
}

for (const backend of mapfBackends()) {
  describe(`${backend}: obstacle planes are windows of the env's own generated map`, () => {
    it('ch0 equals the padded map around each agent (per-env maps from seed + env)', () => {
      const size = 20, r = 5, d = 2 * r + 1, seed = 30;
      const env = make('MAPF-v0', {
        numEnvs: 3, seed, backend,
        config: { size, density: 0.3, obsRadius: r, numAgents: 12, obsDtype: 'uint8' },
      });
      try {
        const rng = new CounterRng(9);
        let { obs, infos } = env.reset();
        for (let t = 0; t < 10; t++) {
          for (let e = 0; e < env.numEnvs; e++) {
            const cells = maps.randomMap(size, size, 0.3, seed + e, 0);
            for (let a = 0; a < env.numAgents; a++) {
              const i = e * env.numAgents + a;
              const row = (infos.positions as Int32Array)[2 * i], col = (infos.positions as Int32Array)[2 * i + 1];
              for (let y = 0; y < d; y++) {
                for (let x = 0; x < d; x++) {
                  const mr = row - r + y, mc = col - r + x;
                  const inside = mr >= 0 && mr < size && mc >= 0 && mc < size;
                  const ring = !inside && mr >= -1 && mr <= size && mc >= -1 && mc <= size;
                  const expected = inside ? cells[mr * size + mc] : ring ? 1 : 0;
                  expect(obs[i * 3 * d * d + y * d + x], `env ${e} agent ${a} window (${y},${x})`).toBe(expected);
                }
              }
            }
          }
          for (let k = 0; k < env.actions.length; k++) env.actions[k] = rng.below(5);
          ({ obs, infos } = env.step());
        }
      } finally {
        env.close();
      }
    });
  });
}
