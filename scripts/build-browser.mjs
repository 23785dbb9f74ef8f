#!/usr/bin/env node
// Bundles the library for browsers: dist/browser/manyworlds.js, one ES module for a plain
// <script type="module">, with gpu.js inlined. Input is the compiled dist/src (run tsc first).
// Node-only modules are swapped for their browser builds in src/browser/ (no addons; no file
// system; Web Crypto; navigator.hardwareConcurrency), gpujs/load.js for load-browser.js, and
// gpujs-shards/threads.js (worker_threads) for threads-browser.js (sharding is Node-only).
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'src');
if (!existsSync(join(dist, 'index.js'))) {
  console.error('build-browser: dist/src/index.js is missing; run `npx tsc -p tsconfig.json` first');
  process.exit(1);
}

// Module (absolute path in dist/src) -> its browser build.
const swaps = new Map([
  [join(dist, 'backends', 'native', 'load.js'), join(dist, 'browser', 'native-load.js')],
  [join(dist, 'backends', 'cuda', 'load.js'), join(dist, 'browser', 'cuda-load.js')],
  [join(dist, 'backends', 'gpujs', 'load.js'), join(dist, 'backends', 'gpujs', 'load-browser.js')],
  [join(dist, 'backends', 'gpujs-shards', 'threads.js'), join(dist, 'backends', 'gpujs-shards', 'threads-browser.js')],
]);
const nodeBuiltins = { 'node:os': 'node-os.js', 'node:crypto': 'node-crypto.js', 'node:fs': 'node-fs.js' };

const browserSwaps = {
  name: 'manyworlds-browser-swaps',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      const file = nodeBuiltins[args.path];
      if (!file) return { errors: [{ text: `${args.path} (imported by ${args.importer}) has no browser build` }] };
      return { path: join(dist, 'browser', file) };
    });
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const swap = swaps.get(target);
      return swap ? { path: swap } : undefined;
    });
  },
};

const outfile = join(root, 'dist', 'browser', 'manyworlds.js');
const result = await build({
  entryPoints: [join(dist, 'index.js')],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outfile,
  sourcemap: true,
  legalComments: 'linked',
  plugins: [browserSwaps],
  logLevel: 'warning',
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).reduce((s, o) => s + (o.bytes ?? 0), 0);
console.log(`build-browser: wrote ${outfile} (${(bytes / 2 ** 20).toFixed(1)} MiB with its source map)`);
