/**
 * The browser build in headless Chromium (Debian's, driven by playwright-core): the page of web/
 * loads dist/browser/manyworlds.js, the gpujs backend's probe picks the mode the flags allow
 * (webgl2 on a plain launch, webgpu with --enable-unsafe-webgpu, webasm when software GPUs are
 * refused), and every scenario reproduces the native backend's results computed here in Node.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import * as lib from '../../src/index.js';
import { chromiumMissing, launch, runPage } from './chromium.js';
// @ts-expect-error plain ES modules shared with the page (no type declarations)
import { runScenario } from '../../web/scenario.js';
// @ts-expect-error plain ES modules shared with the page (no type declarations)
import { startServer } from '../../web/server.mjs';

interface StepRecord { hash: string; obsSum: number; rewardSum: number }
interface ScenarioResult { id: string; gpujs: lib.GpujsChoice | null; steps: StepRecord[]; obsLength: number; agents: number; error?: string; drawn?: boolean; drawError?: string; crossOriginIsolated?: boolean }

const bundle = new URL('../../dist/browser/manyworlds.js', import.meta.url);
const missing = chromiumMissing() ?? (existsSync(bundle) ? null : 'dist/browser/manyworlds.js is missing (node scripts/build-browser.mjs)');
const nativeHere = lib.availableBackends().some((b) => b.name === 'native' && b.available);

/** Exact scenarios: every output of every step must hash the same as on the native backend. */
const EXACT = ['mapf', 'mapf-soft', 'dispatch'] as const;

function expectSameRun(got: ScenarioResult, want: ScenarioResult, exact: boolean): void {
  expect(got.error, got.error).toBeUndefined();
  expect(got.steps.length).toBe(want.steps.length);
  for (let t = 0; t < want.steps.length; t++) {
    if (exact) {
      expect(got.steps[t].hash, `step ${t}`).toBe(want.steps[t].hash);
    } else {
      // Volleyball: float physics; docs/envs/volleyball.md states |Δ| ≤ 5e-3 per value over 200
      // steps, so the sums of the observation values agree within 5e-3 per value, and the rewards too.
      expect(Math.abs(got.steps[t].obsSum - want.steps[t].obsSum), `step ${t} obs sum`).toBeLessThanOrEqual(5e-3 * want.obsLength);
      expect(Math.abs(got.steps[t].rewardSum - want.steps[t].rewardSum), `step ${t} reward sum`).toBeLessThanOrEqual(5e-3 * want.agents);
    }
  }
}

describe.skipIf(missing !== null)(`browser build in headless Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let server: { url: string; close(): Promise<void> };
  let plain: Browser;
  let webgpu: Browser;
  const reference = new Map<string, ScenarioResult>();

  beforeAll(async () => {
    server = await startServer(0);
    [plain, webgpu] = await Promise.all([launch(false), launch(true)]);
    for (const name of [...EXACT, 'volleyball']) {
      reference.set(name, await runScenario(lib, name, { backend: nativeHere ? 'native' : 'gpujs', gpujs: { mode: 'cpu' } }));
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all([plain?.close(), webgpu?.close()]);
    await server?.close();
  });

  const page = (b: () => Browser, query: string) => async (): Promise<ScenarioResult> =>
    (await runPage(b(), `${server.url}web/index.html?${query}`)) as unknown as ScenarioResult;

  it('a plain launch with software GPUs allowed picks webgl2 and draws the env', async () => {
    const r = await page(() => plain, 'scenario=mapf&allowSoftwareGpu=1')();
    expect(r.error).toBeUndefined();
    expect(r.gpujs?.mode).toBe('webgl2');
    expect(r.gpujs?.software).toBe(true);
    expect(r.gpujs?.skipped.find((s) => s.mode === 'webgpu')?.reason).toMatch(/adapter/);
    expect(r.drawn).toBe(true);
    expect(r.crossOriginIsolated).toBe(true);
  }, 120_000);

  it('--enable-unsafe-webgpu with software GPUs allowed picks webgpu', async () => {
    const r = await page(() => webgpu, 'scenario=mapf&allowSoftwareGpu=1')();
    expect(r.error).toBeUndefined();
    expect(r.gpujs?.mode).toBe('webgpu');
    expect(r.gpujs?.adapter).toMatch(/swiftshader/i);
  }, 120_000);

  it('by default the probe refuses software GPUs and picks threaded webasm, saying why', async () => {
    const r = await page(() => webgpu, 'scenario=mapf')();
    expect(r.error).toBeUndefined();
    expect(r.gpujs?.mode).toBe('webasm');
    expect(r.gpujs?.threaded).toBe(true);
    for (const m of ['webgpu', 'webgl2']) expect(r.gpujs?.skipped.find((s) => s.mode === m)?.reason).toMatch(/software adapter/);
  }, 120_000);

  for (const [label, browser, query] of [
    ['webgl2', () => plain, 'allowSoftwareGpu=1'],
    ['webgpu', () => webgpu, 'allowSoftwareGpu=1'],
    ['webasm (threaded, stepAsync)', () => webgpu, 'mode=webasm'],
    ['cpu (step)', () => plain, 'mode=cpu&async=0'],
  ] as const) {
    for (const name of [...EXACT, 'volleyball']) {
      it(`${label}: ${name} reproduces the ${nativeHere ? 'native' : 'gpujs cpu'} results from Node`, async () => {
        const r = await page(browser, `scenario=${name}&${query}`)();
        expectSameRun(r, reference.get(name)!, (EXACT as readonly string[]).includes(name));
      }, 120_000);
    }
  }
});
