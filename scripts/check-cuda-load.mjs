#!/usr/bin/env node
// CI check of the CUDA addon on any machine: it loads, probe() answers, and the package reports
// the cuda backend consistently. Without a GPU (or driver) the backend must be unavailable with
// the probe's reason, and make({ backend: 'cuda' }) must throw BackendUnavailableError carrying it;
// with one it must be available. Needs dist/ (npm install builds it) and build-cuda/.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const require = createRequire(import.meta.url);
const fail = (msg) => {
  process.stderr.write(`check-cuda-load: ${msg}\n`);
  process.exit(1);
};

const file = resolve(root, process.env.MANYWORLDS_CUDA_ADDON_DIR ?? 'build-cuda/Release', 'manyworlds_cuda.node');
let addon;
try {
  addon = require(file);
} catch (err) {
  fail(`${file} does not load: ${err.message}`);
}
for (const name of ['probe', 'MapfBatch', 'VolleyballBatch', 'DispatchBatch']) {
  if (typeof addon[name] !== 'function') fail(`${file} does not export ${name}()`);
}
const probe = addon.probe();
process.stdout.write(`probe(): ${JSON.stringify(probe)}\n`);
if (typeof probe.available !== 'boolean' || typeof probe.reason !== 'string' || probe.reason.length === 0) fail('probe() gave no reason');

const { availableBackends, make, BackendUnavailableError } = await import(resolve(root, 'dist/src/index.js'));
const cuda = availableBackends().find((b) => b.name === 'cuda');
if (!cuda) fail('availableBackends() has no cuda entry');
process.stdout.write(`availableBackends(): cuda ${cuda.available ? 'available' : 'unavailable'}: ${cuda.reason}\n`);
if (cuda.available !== probe.available) fail('availableBackends() and probe() disagree');
if (!probe.available) {
  if (cuda.reason !== probe.reason) fail(`the backend's reason is not the probe's: ${cuda.reason}`);
  try {
    make('MAPF-v0', { numEnvs: 2, seed: 1, backend: 'cuda' });
    fail("make({ backend: 'cuda' }) did not throw");
  } catch (err) {
    if (!(err instanceof BackendUnavailableError) || err.code !== 'ERR_MW_BACKEND_UNAVAILABLE' || !err.message.includes(probe.reason)) {
      fail(`make({ backend: 'cuda' }) threw the wrong error: ${err}`);
    }
  }
  const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend: 'auto' });
  if (env.metadata.backend !== 'native') fail(`backend 'auto' chose ${env.metadata.backend}`);
  env.close();
}
process.stdout.write('check-cuda-load: ok\n');
