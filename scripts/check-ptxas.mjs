#!/usr/bin/env node
// Reads the ptxas resource usage that the CUDA addon build prints (nvcc --resource-usage) and
// fails if any kernel spills registers to local memory. Prints one line per kernel and
// architecture: registers, stack frame, spill stores/loads.
// Usage: node scripts/check-ptxas.mjs <build log>
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: check-ptxas.mjs <build log>\n');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8').split('\n');
const kernels = [];
let current = null;
for (const line of lines) {
  const entry = /Compiling entry function '([^']+)' for '(sm_\d+)'/.exec(line);
  if (entry) {
    current = { name: entry[1], arch: entry[2], registers: NaN, stack: NaN, spillStores: NaN, spillLoads: NaN };
    kernels.push(current);
    continue;
  }
  if (!current) continue;
  const frame = /(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads/.exec(line);
  if (frame) [current.stack, current.spillStores, current.spillLoads] = frame.slice(1).map(Number);
  const used = /Used (\d+) registers/.exec(line);
  if (used) current.registers = Number(used[1]);
}
// Itanium-mangled names: _ZN <len><name>... E <params>, or _Z <len><name> <params>; the kernel is
// the last name before the parameters.
const demangle = (m) => {
  let i = m.startsWith('_ZN') ? 3 : m.startsWith('_Z') ? 2 : -1;
  if (i < 0) return m;
  const names = [];
  for (;;) {
    const len = /^\d+/.exec(m.slice(i));
    if (!len) break;
    i += len[0].length;
    names.push(m.slice(i, i + Number(len[0])));
    i += Number(len[0]);
    if (!m.startsWith('_ZN')) break;
  }
  return names.join('::') || m;
};
if (kernels.length === 0) {
  process.stderr.write(`check-ptxas: no ptxas resource usage found in ${file} (was the addon built with --resource-usage, or already up to date?)\n`);
  process.exit(1);
}
let bad = 0;
for (const k of kernels) {
  const spills = k.spillStores > 0 || k.spillLoads > 0;
  if (spills || Number.isNaN(k.spillStores)) bad++;
  process.stdout.write(`${spills ? 'SPILL' : 'ok   '} ${k.arch} ${demangle(k.name).padEnd(30)} ${String(k.registers).padStart(3)} registers, ` +
    `${k.stack} bytes stack, ${k.spillStores} bytes spill stores, ${k.spillLoads} bytes spill loads\n`);
}
if (bad > 0) {
  process.stderr.write(`check-ptxas: ${bad} kernel build(s) spill registers (or reported no spill line)\n`);
  process.exit(1);
}
process.stdout.write(`check-ptxas: ${kernels.length} kernel builds, no spills\n`);
