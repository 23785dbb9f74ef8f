/**
 * `manyworlds bench`: runs the MAPF benchmark sweep (`bench/mapf.js`) in a child process.
 * @module
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type OptionSpec, formatOptions, parseArgs } from './args.js';
import { requireMapf } from './env-options.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  full: { kind: { type: 'flag' }, help: 'the whole grid (collision x envs x threads x dtype, several minutes)' },
  'write-docs': { kind: { type: 'flag' }, help: 'replace the table in docs/benchmarks.md' },
};

/** Help text of `bench`. */
export const BENCH_HELP = `usage: manyworlds bench [ID] [options]

Benchmarks ID (default MAPF-v0) on a 64x64 map, density 0.3, obsRadius 5, 64 agents per env; each
trial runs in a fresh process. Default: the quick grid (1024 envs, 1 and 2 threads, float32 and
uint8, priority). Results go to bench/results/mapf-<date>.json and a markdown table on stdout.

options:
${formatOptions(OPTIONS)}`;

/** Path of the sweep script, relative to this compiled module (dist/src/cli/ -> bench/). */
export function benchScriptPath(): string {
  return fileURLToPath(new URL('../../../bench/mapf.js', import.meta.url));
}

/** Runs `bench` with the words after the command; returns the exit code. */
export async function benchCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs('bench', args, OPTIONS, 1);
  if (parsed.help) {
    process.stdout.write(`${BENCH_HELP}\n`);
    return 0;
  }
  requireMapf('bench', parsed.positionals[0] ?? 'MAPF-v0');
  const script = benchScriptPath();
  if (!existsSync(script)) throw new Error(`benchmark script not found: ${script} (bench/ is not part of the installed package)`);
  const childArgs = [script, parsed.options.full ? '--full' : '--quick'];
  if (parsed.options['write-docs']) childArgs.push('--write-docs');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, childArgs, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
