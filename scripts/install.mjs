#!/usr/bin/env node
// npm install hook: builds the TypeScript sources and the native CPU addon from source with
// cmake-js. Never downloads anything. If the addon cannot be built (no compiler, no cmake, no Node
// headers), installation still succeeds and says why once; the package then reports the native
// backend as unavailable with that reason.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`manyworlds: ${msg}\n`);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, error: r.error };
}

// 1. TypeScript -> dist/ (when the compiler is installed, i.e. in a development checkout).
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (existsSync(tsc) && existsSync(join(root, 'tsconfig.json'))) {
  const r = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  if (!r.ok) {
    log(`TypeScript build failed:\n${r.out}`);
    process.exit(1);
  }
}

// 2. The native addon. cmake-js needs Node's headers: use the ones installed next to this Node
// (Debian's nodejs-dev, or an official tarball) so nothing is fetched from the network.
if (process.env.MANYWORLDS_SKIP_NATIVE === '1') {
  log('native addon not built: MANYWORLDS_SKIP_NATIVE=1');
  process.exit(0);
}
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  for (const dir of [resolve(dirname(process.execPath), '..'), '/usr', '/usr/local']) {
    if (existsSync(join(dir, 'include', 'node', 'node_api.h'))) {
      env.npm_config_nodedir = dir;
      break;
    }
  }
}
const reasons = [];
if (!run('cmake', ['--version']).ok) reasons.push('cmake was not found (install cmake >= 3.20)');
if (!run(process.env.CXX || 'c++', ['--version']).ok && !run('g++', ['--version']).ok) reasons.push('no C++17 compiler was found (install g++ or clang++)');
if (!env.npm_config_nodedir) reasons.push("Node's C headers were not found next to node (install the nodejs-dev package or set npm_config_nodedir)");
let built = false;
if (reasons.length === 0) {
  const cmakeJs = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  const r = run(process.execPath, [cmakeJs, 'compile', '--out', 'build'], env);
  built = r.ok && existsSync(join(root, 'build', 'Release', 'manyworlds_cpu.node'));
  if (!built) reasons.push(`the build failed:\n${r.out.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 20).join('\n')}`);
}
mkdirSync(join(root, 'build'), { recursive: true });
if (built) {
  writeFileSync(join(root, 'build', 'native-status.json'), JSON.stringify({ built: true }) + '\n');
  log('native CPU addon built (build/Release/manyworlds_cpu.node)');
} else {
  const reason = reasons.join('; ');
  writeFileSync(join(root, 'build', 'native-status.json'), JSON.stringify({ built: false, reason }) + '\n');
  log(`the native CPU addon was not built: ${reason}. The package still installs; the native backend will report itself unavailable.`);
}
