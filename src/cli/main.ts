/**
 * The `manyworlds` command line: `list`, `rollout`, `bench`, `render`.
 * @module
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../backends/native/load.js';
import { ManyWorldsError } from '../errors.js';
import { UsageError } from './args.js';
import { benchCommand } from './bench.js';
import { listCommand } from './list.js';
import { renderCommand } from './render.js';
import { rolloutCommand } from './rollout.js';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/**
 * Library errors that mean the command line asked for something impossible (an unknown env, a
 * bad config or map, a batch too large for this machine): usage errors, exit code 2.
 */
const USAGE_CODES: ReadonlySet<string> = new Set([
  'ERR_MW_UNKNOWN_ENV', 'ERR_MW_INVALID_CONFIG', 'ERR_MW_INVALID_MAP', 'ERR_MW_INVALID_ARGUMENT', 'ERR_MW_ALLOCATION',
]);

const COMMANDS: Readonly<Record<string, { run: (args: readonly string[]) => Promise<number>; summary: string }>> = {
  list: { run: listCommand, summary: 'registered environments and backends' },
  rollout: { run: rolloutCommand, summary: 'step a batch with a scripted policy; throughput and episode stats' },
  bench: { run: benchCommand, summary: 'step-rate benchmark: the MAPF sweep (bench/mapf.js), or one volleyball or RideDispatch batch' },
  render: { run: renderCommand, summary: 'draw one episode as ASCII frames or an animated SVG' },
};

/** Top-level help text. */
export const MAIN_HELP = `usage: manyworlds <command> [options]

commands:
${Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(8)} ${c.summary}`).join('\n')}

Run 'manyworlds <command> --help' for the options of a command, 'manyworlds --version' for the version.

options of every command:
  --backend auto|native|cuda|gpujs   where envs step (default auto; sets MANYWORLDS_BACKEND)
  --gpujs-mode auto|webgpu|webgl2|webasm|cpu
                                     gpu.js mode of the gpujs backend (sets MANYWORLDS_GPUJS_MODE)
exit codes: 0 ok, 1 runtime error, 2 usage error (options, env id, config, map or output file)`;

const GLOBAL_OPTIONS: Readonly<Record<string, { env: string; choices: readonly string[] }>> = {
  '--backend': { env: 'MANYWORLDS_BACKEND', choices: ['auto', 'native', 'cuda', 'gpujs'] },
  '--gpujs-mode': { env: 'MANYWORLDS_GPUJS_MODE', choices: ['auto', 'webgpu', 'webgl2', 'webasm', 'cpu'] },
};

/**
 * Takes the options every command accepts (`--backend`, `--gpujs-mode`, as `--opt value` or
 * `--opt=value`) out of `args` and sets the environment variables `make()` reads.
 * @throws UsageError for a missing or unknown value.
 */
export function applyGlobalOptions(args: readonly string[]): string[] {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [name, inline] = args[i].split(/=(.*)/s, 2);
    const opt = Object.prototype.hasOwnProperty.call(GLOBAL_OPTIONS, name) ? GLOBAL_OPTIONS[name] : undefined;
    if (!opt) { rest.push(args[i]); continue; }
    const value = inline ?? args[++i];
    if (value === undefined || !opt.choices.includes(value)) {
      throw new UsageError(`${name} must be one of ${opt.choices.join(', ')}, got ${value === undefined ? 'nothing' : `'${value}'`}`);
    }
    process.env[opt.env] = value;
  }
  return rest;
}

/**
 * Runs the CLI.
 * @param argv - `process.argv`: the first two entries (node and the script) are skipped.
 * @returns the exit code: 0 ok, 1 runtime error (`error: <message> (<code>)` on stderr),
 *   2 usage error (one line on stderr).
 * @example
 * ```ts
 * process.exitCode = await main(['node', 'manyworlds', 'rollout', '--envs', '64']);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    const [command, ...rest] = applyGlobalOptions(argv.slice(2));
    if (command === undefined) {
      process.stderr.write(`${MAIN_HELP}\n`);
      return EXIT.usage;
    }
    if (command === 'help' && rest.length > 0 && Object.prototype.hasOwnProperty.call(COMMANDS, rest[0])) {
      return await COMMANDS[rest[0]].run(['--help']);
    }
    if (command === '--version' || command === '-V' || command === 'version') {
      const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
      process.stdout.write(`manyworlds ${pkg.version} (Node ${process.versions.node})\n`);
      return EXIT.ok;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(`${MAIN_HELP}\n`);
      return EXIT.ok;
    }
    const entry = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
    if (!entry) throw new UsageError(`unknown command '${command}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await entry.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`manyworlds: ${err.message}\n`);
      return EXIT.usage;
    }
    if (err instanceof ManyWorldsError) {
      const usage = USAGE_CODES.has(err.code);
      process.stderr.write(`${usage ? 'manyworlds' : 'error'}: ${err.message} (${err.code})\n`);
      return usage ? EXIT.usage : EXIT.error;
    }
    const e = err as { message?: string; code?: unknown };
    const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
    process.stderr.write(`error: ${e?.message ?? String(err)}${code}\n`);
    return EXIT.error;
  }
}
