/**
 * The gpujs backend's selection in Node: what `availableBackends()` says, which gpu.js mode the
 * probe picks and why it skips the others, explicit modes, bad options, and the automatic choice
 * of gpujs when the addons cannot load (checked in a child process, since an addon load is cached).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  BackendUnavailableError, InvalidConfigError, availableBackends, chooseGpujsMode, listEnvs, make,
} from '../../src/index.js';

const ALL_IDS = listEnvs().map((e) => e.id);

describe('gpujs backend selection', () => {
  it('implements every env', () => {
    for (const e of listEnvs()) expect(e.backends, e.id).toContain('gpujs');
  });

  it('availableBackends() reports gpujs available here, in webasm, with reasons for the skipped modes', () => {
    const g = availableBackends().find((b) => b.name === 'gpujs')!;
    expect(g.available).toBe(true);
    expect(g.reason).toMatch(/gpu\.js 2\.24\.\d+, mode webasm/);
    expect(g.reason).toMatch(/webgpu: no navigator\.gpu in Node\.js/);
    expect(g.reason).toMatch(/webgl2: no WebGL2 in Node\.js/);
    expect([...g.envs].sort()).toEqual([...ALL_IDS].sort());
  });

  it("'auto' in Node picks webasm, threaded under stepAsync where SharedArrayBuffer exists", () => {
    const c = chooseGpujsMode();
    expect(c.mode).toBe('webasm');
    expect(c.syncMode).toBe('webasm');
    expect(c.threaded).toBe(typeof SharedArrayBuffer !== 'undefined');
    expect(c.skipped.map((s) => s.mode)).toEqual(['webgpu', 'webgl2']);
  });

  it('an explicit mode that cannot run here throws BackendUnavailableError with the reason', () => {
    expect(() => chooseGpujsMode({ mode: 'webgl2' })).toThrow(BackendUnavailableError);
    expect(() => chooseGpujsMode({ mode: 'webgpu' })).toThrow(/no navigator\.gpu/);
    expect(() => make('MAPF-v0', { backend: 'gpujs', gpujs: { mode: 'webgl2' } })).toThrow(/mode 'webgl2' cannot run here/);
  });

  it('bad gpujs options are InvalidConfigError', () => {
    expect(() => make('MAPF-v0', { backend: 'gpujs', gpujs: { mode: 'headlessgl' as never } })).toThrow(InvalidConfigError);
    expect(() => make('MAPF-v0', { backend: 'gpujs', gpujs: 'cpu' as never })).toThrow(InvalidConfigError);
  });

  it('env.metadata.gpujs names the mode and the gpu.js kernel classes that really ran (no silent fallback)', () => {
    for (const [mode, cls] of [['cpu', 'CPUKernel'], ['webasm', 'WebAssemblyKernel']] as const) {
      const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend: 'gpujs', gpujs: { mode }, config: { numAgents: 4, size: 8 } });
      try {
        env.reset();
        env.step();
        const g = env.metadata.gpujs!;
        expect(g.mode).toBe(mode);
        expect(env.metadata.backend).toBe('gpujs');
        const classes = Object.values(g.kernels);
        expect(classes.length).toBeGreaterThan(0);
        for (const c of classes) expect(c).toBe(cls);
      } finally {
        env.close();
      }
    }
  });

  it('MANYWORLDS_GPUJS_MODE picks the mode when make() does not', () => {
    const before = process.env.MANYWORLDS_GPUJS_MODE;
    process.env.MANYWORLDS_GPUJS_MODE = 'cpu';
    try {
      const env = make('MAPF-v0', { numEnvs: 1, seed: 1, backend: 'gpujs', config: { numAgents: 2, size: 8 } });
      expect(env.metadata.gpujs?.mode).toBe('cpu');
      env.close();
    } finally {
      if (before === undefined) delete process.env.MANYWORLDS_GPUJS_MODE; else process.env.MANYWORLDS_GPUJS_MODE = before;
    }
  });

  it("with the addons hidden, 'auto' picks gpujs for every env and says why native and cuda were skipped", () => {
    const script = `
      const { make } = await import(${JSON.stringify(new URL('../../dist/src/index.js', import.meta.url).href)});
      const out = [];
      for (const id of ${JSON.stringify(ALL_IDS)}) {
        const env = make(id, { numEnvs: 2, seed: 3 });
        env.reset(); env.step();
        out.push({ id, backend: env.metadata.backend, notes: env.metadata.backendNotes, mode: env.metadata.gpujs?.mode });
        env.close();
      }
      console.log(JSON.stringify(out));`;
    const env: NodeJS.ProcessEnv = { ...process.env, MANYWORLDS_DISABLE_NATIVE: '1', MANYWORLDS_DISABLE_CUDA: '1' };
    delete env.MANYWORLDS_BACKEND;
    delete env.MANYWORLDS_GPUJS_MODE;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout.trim().split('\n').pop()!) as Array<{ id: string; backend: string; notes: string[]; mode: string }>;
    expect(rows.map((x) => x.id)).toEqual(ALL_IDS);
    for (const row of rows) {
      expect(row.backend, row.id).toBe('gpujs');
      expect(row.mode, row.id).toBe('webasm');
      expect(row.notes.join('; ')).toMatch(/native: disabled by MANYWORLDS_DISABLE_NATIVE=1/);
      expect(row.notes.join('; ')).toMatch(/cuda: disabled by MANYWORLDS_DISABLE_CUDA=1/);
    }
  });
});
