#!/usr/bin/env node
// npm install hook: builds the TypeScript sources, the native CPU addon and, where nvcc is
// present, the CUDA addon, from source with cmake-js. Never downloads anything. If an addon cannot
// be built (no compiler, no cmake, no Node headers, no nvcc), installation still succeeds and says
// why once; the package then reports that backend as unavailable with the reason written to
// build/native-status.json or build-cuda/cuda-status.json.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`manyworlds: ${msg}\n`);

function run(cmd, args, env = process.env) {
  const r = spawnSync(cmd, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
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
  // The browser bundle (dist/browser/manyworlds.js), where esbuild is installed.
  if (existsSync(join(root, 'node_modules', 'esbuild'))) {
    const b = run(process.execPath, [join(root, 'scripts', 'build-browser.mjs')]);
    if (!b.ok) {
      log(`browser bundle build failed:\n${b.out}`);
      process.exit(1);
    }
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
// cmake-js is a dependency: in a checkout it sits in ./node_modules, in an app that depends on
// manyworlds npm usually hoists it to the app's node_modules; resolve it as Node would.
function findCmakeJs() {
  try {
    return join(dirname(createRequire(join(root, 'package.json')).resolve('cmake-js/package.json')), 'bin', 'cmake-js');
  } catch {
    return null;
  }
}
const cmakeJs = findCmakeJs();
if (cmakeJs === null) reasons.push('the cmake-js package (a dependency) was not found from this package');
// configure + build (not compile): the defines apply to an existing build directory too.
function cmakeBuild(out, defines) {
  const c = run(process.execPath, [cmakeJs, 'configure', '--out', out, ...defines.map((d) => `--CD${d}`)], env);
  if (!c.ok) return c;
  const b = run(process.execPath, [cmakeJs, 'build', '--out', out], env);
  return { ok: b.ok, out: `${c.out}${b.out}` };
}
const errorLines = (out) => out.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 20).join('\n');
const missing = [...reasons];  // what any addon build lacks
let built = false;
if (reasons.length === 0) {
  const r = cmakeBuild('build', ['MW_BUILD_CUDA=OFF']);
  built = r.ok && existsSync(join(root, 'build', 'Release', 'manyworlds_cpu.node'));
  if (!built) reasons.push(`the build failed:\n${errorLines(r.out)}`);
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

// 3. The CUDA addon, a separate file (the CPU addon never depends on it). Its failure never fails
// the install: the cuda backend then reports itself unavailable with the reason.
function nvccPath() {
  for (const c of [process.env.CUDACXX, 'nvcc', '/usr/local/cuda/bin/nvcc']) if (c && run(c, ['--version']).ok) return c;
  return null;
}
function buildCuda() {
  if (process.env.MANYWORLDS_SKIP_CUDA === '1') return { built: false, reason: 'MANYWORLDS_SKIP_CUDA=1' };
  if (missing.length > 0) return { built: false, reason: missing.join('; ') };
  const nvcc = nvccPath();
  if (!nvcc) return { built: false, reason: 'nvcc (the CUDA compiler) was not found; set CUDACXX or add it to PATH' };
  log('building the CUDA addon (several minutes)');
  const started = Date.now();
  const werror = process.env.MANYWORLDS_CUDA_WERROR === '1' ? 'ON' : 'OFF';  // CI: nvcc warnings are errors
  const r = cmakeBuild('build-cuda', ['MW_BUILD_ADDON=OFF', 'MW_BUILD_CUDA=ON', `MW_CUDA_WERROR=${werror}`, `CMAKE_CUDA_COMPILER=${nvcc}`]);
  mkdirSync(join(root, 'build-cuda'), { recursive: true });
  writeFileSync(join(root, 'build-cuda', 'cuda-build.log'), r.out);  // with ptxas resource usage per kernel
  if (r.ok && existsSync(join(root, 'build-cuda', 'Release', 'manyworlds_cuda.node'))) {
    return { built: true, seconds: Math.round((Date.now() - started) / 1000) };
  }
  return { built: false, reason: `the CUDA build failed (log: build-cuda/cuda-build.log):\n${errorLines(r.out)}` };
}
const cuda = buildCuda();
mkdirSync(join(root, 'build-cuda'), { recursive: true });
writeFileSync(join(root, 'build-cuda', 'cuda-status.json'), JSON.stringify(cuda) + '\n');
if (cuda.built) log(`CUDA addon built in ${cuda.seconds} s (build-cuda/Release/manyworlds_cuda.node)`);
else log(`the CUDA addon was not built: ${cuda.reason}. The cuda backend will report itself unavailable.`);
