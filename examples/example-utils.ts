/**
 * Small helpers of the example scripts: means of episode metrics, and the command line.
 * @module
 */
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

/** Sums of episode metrics, turned into means by `mean()`; NaN values (a metric an episode lacks) are skipped. */
export class MetricMeans {
  /** Episodes added. */
  episodes = 0;
  private sums: Record<string, number> = {};
  private counts: Record<string, number> = {};
  /** Adds one episode's metrics. */
  add(metrics: Record<string, number>): void {
    this.episodes += 1;
    for (const [k, v] of Object.entries(metrics)) {
      if (Number.isNaN(v)) continue;
      this.sums[k] = (this.sums[k] ?? 0) + v;
      this.counts[k] = (this.counts[k] ?? 0) + 1;
    }
  }
  /** Adds every episode another `MetricMeans` holds. */
  merge(other: MetricMeans): void {
    this.episodes += other.episodes;
    for (const [k, v] of Object.entries(other.sums)) {
      this.sums[k] = (this.sums[k] ?? 0) + v;
      this.counts[k] = (this.counts[k] ?? 0) + other.counts[k];
    }
  }
  /** Each metric's mean over the episodes that have it. */
  mean(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.sums).map(([k, v]) => [k, v / this.counts[k]]));
  }
}

/** Whether the module at `moduleUrl` (its `import.meta.url`) is the script Node was asked to run. */
export function isMainModule(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/**
 * The example CLIs' options `--updates`, `--envs` and `--seed` (integers), with these defaults;
 * exits with code 2 and a message on a bad value.
 */
export function trainerArgs(defaults: { updates: number; envs: number }): { updates: number; numEnvs: number; seed: number } {
  const usage = `options: --updates N (default ${defaults.updates}), --envs N (default ${defaults.envs}), --seed N (default 1)`;
  let values: { updates?: string; envs?: string; seed?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { updates: { type: 'string', default: String(defaults.updates) }, envs: { type: 'string', default: String(defaults.envs) },
        seed: { type: 'string', default: '1' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${usage}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const int = (name: 'updates' | 'envs' | 'seed', min: number): number => {
    const v = Number(values[name]);
    if (!Number.isInteger(v) || v < min) { console.error(`--${name} must be an integer >= ${min}, got ${values[name]}`); process.exit(2); }
    return v;
  };
  return { updates: int('updates', 1), numEnvs: int('envs', 1), seed: int('seed', 0) };
}
