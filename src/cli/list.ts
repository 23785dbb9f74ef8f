/**
 * `manyworlds list`: registered environments and backends.
 * @module
 */

import { listEnvs } from '../registry.js';
import { availableBackends } from '../backends/select.js';
import '../envs/index.js';
import { type OptionSpec, formatOptions, parseArgs } from './args.js';

const OPTIONS: Readonly<Record<string, OptionSpec>> = {
  json: { kind: { type: 'flag' }, help: 'print JSON' },
};

/** Help text of `list`. */
export const LIST_HELP = `usage: manyworlds list [options]

Lists the registered environments (id, description, backends) and every backend with whether it
can run here and why.

options:
${formatOptions(OPTIONS)}`;

/** Runs `list` with the words after the command; returns the exit code. */
export async function listCommand(args: readonly string[]): Promise<number> {
  const parsed = parseArgs('list', args, OPTIONS, 0);
  if (parsed.help) {
    process.stdout.write(`${LIST_HELP}\n`);
    return 0;
  }
  const envs = listEnvs();
  const backends = availableBackends();
  if (parsed.options.json) {
    process.stdout.write(`${JSON.stringify({ envs, backends }, null, 2)}\n`);
    return 0;
  }
  const lines = ['environments:'];
  const idWidth = Math.max(2, ...envs.map((e) => e.id.length));
  for (const e of envs) {
    lines.push(`  ${e.id.padEnd(idWidth)}  [${e.backends.join(', ')}]  ${e.description}`);
  }
  lines.push('', 'backends:');
  const nameWidth = Math.max(...backends.map((b) => b.name.length));
  for (const b of backends) {
    const envList = b.envs.length > 0 ? ` (envs: ${b.envs.join(', ')})` : '';
    lines.push(`  ${b.name.padEnd(nameWidth)}  ${b.available ? 'yes' : 'no '}  ${b.reason ?? ''}${envList}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
