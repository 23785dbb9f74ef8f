#!/usr/bin/env bash
# The package as an app gets it: `npm pack` this checkout, install the tarball as a dependency of a
# new project (dependencies come from the npm registry and may be hoisted beside it), then check
# that the install built the native addon, that a strict TypeScript program type-checks against the
# published declarations (skipLibCheck off, no @types/node, lib ES2022 only) and runs on the native
# backend, that CommonJS can require() it (Node 20.19+), and that the CLI's main job runs through
# npx; then that an install without scripts runs on gpujs, says why, and builds the addon with
# `npm rebuild manyworlds`. CUDA is skipped: CI checks it on its own.
# Usage: bash scripts/check-package.sh   (from the repository root, after npm install)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$root"
npm pack --silent --pack-destination "$work" >/dev/null
tarball="$(ls "$work"/manyworlds-*.tgz)"

# The app's package.json approves manyworlds' install script and denies gl's, as the README tells
# users to (npm 11.16+ reads allowScripts and warns about unreviewed scripts; npm 12 skips them).
app_package_json() {
  printf '{ "name": "%s", "version": "1.0.0", "private": true, "type": "module",\n  "allowScripts": { "file:%s": true, "gl": false } }\n' "$1" "$tarball" > package.json
}
mkdir "$work/app"
cd "$work/app"
app_package_json manyworlds-package-check
MANYWORLDS_SKIP_CUDA=1 npm install --no-audit --no-fund --foreground-scripts "$tarball"

status="node_modules/manyworlds/build/native-status.json"
grep -q '"built":true' "$status" || { echo "the installed package did not build its native addon:"; cat "$status"; exit 1; }

cat > tsconfig.json <<'EOF'
{
  "compilerOptions": {
    "strict": true, "module": "NodeNext", "moduleResolution": "NodeNext", "target": "ES2022",
    "lib": ["ES2022"], "types": [], "skipLibCheck": false, "outDir": "out"
  },
  "files": ["app.ts"]
}
EOF
cat > app.ts <<'EOF'
import { make, InvalidActionError, type MapfInfos, type VectorEnv } from 'manyworlds';
import type { make as makeInBrowser } from 'manyworlds/browser';   // the bundle's entry has types too
declare const process: { exitCode?: number; stdout: { write(s: string): void } };

const env = make('MAPF-v0', { numEnvs: 4, seed: 7, backend: 'native', config: { numAgents: 3, obsDtype: 'uint8' } });
const first: { obs: Uint8Array; infos: MapfInfos } = env.reset();   // types follow the id and obsDtype
const general: VectorEnv = env;                                     // a typed batch is a VectorEnv
export const sameApi: typeof make = null as unknown as typeof makeInBrowser;
const actionSpace = env.singleActionSpace;                          // Discrete: .n needs no cast
let refused = false;
try {
  env.step(new Int32Array(1));
} catch (e) {
  refused = e instanceof InvalidActionError;
}
for (let t = 0; t < 20; t++) {
  env.actions.fill(t % actionSpace.n);
  env.step();
}
const ok = general.metadata.backend === 'native' && first.obs.length === env.obsSize * 12 && refused;
env[Symbol.dispose]();
process.stdout.write(`backend ${env.metadata.backend}, obs ${first.obs.length}, bad action refused ${refused}\n`);
if (!ok) process.exitCode = 1;
EOF
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json
node out/app.js
# CommonJS: require() of the ES module, where this Node can (20.19+, 22.12+).
cat > app.cjs <<'CJS'
if (!process.features.require_module) {
  console.log(`require() of ES modules is not available in Node ${process.version}: CommonJS check skipped`);
} else {
  const { make } = require('manyworlds');
  const env = make('MAPF-v0', { numEnvs: 2, seed: 1, backend: 'native' });
  const n = env.reset().obs.length;
  env.close();
  if (n !== 2 * 363) throw new Error(`require('manyworlds'): expected 726 observation numbers, got ${n}`);
  console.log("require('manyworlds') works");
}
CJS
node app.cjs
npx --no-install manyworlds rollout MAPF-v0 --steps 16 --envs 16

# Installed without its install script: the package runs on gpujs and says why and how to build
# the addon; `npm rebuild manyworlds` then builds it.
mkdir "$work/app-noscripts"
cd "$work/app-noscripts"
app_package_json manyworlds-package-check-noscripts
npm install --no-audit --no-fund --ignore-scripts "$tarball"
list="$(npx --no-install manyworlds list)"
grep -q 'native  no   .*npm rebuild manyworlds' <<<"$list" || { echo "list does not say how to build the missing addon:"; echo "$list"; exit 1; }
rollout="$(npx --no-install manyworlds rollout MAPF-v0 --steps 8 --envs 4 2>&1)"
grep -q 'running on gpujs, not native' <<<"$rollout" || { echo "rollout without the addon did not say why it ran on gpujs:"; echo "$rollout"; exit 1; }
MANYWORLDS_SKIP_CUDA=1 npm rebuild manyworlds --foreground-scripts
npx --no-install manyworlds list | grep -q 'native  yes' || { echo "npm rebuild manyworlds did not build the addon"; exit 1; }
echo "package check passed"
