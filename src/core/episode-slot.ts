/**
 * The argument checks of the per-env episode-metric helpers (`mapfEpisodeMetrics` and its twins).
 * @module
 * @internal
 */

import { InvalidArgumentError, formatValue } from '../errors.js';
import type { EpisodeInfo } from './types.js';

/**
 * Index of env `env`'s first metric in `episode.metrics`, after checking that `env` is an env of
 * the batch and that the infos hold `stride` metric slots per env (so come from the helper's env
 * family). Throws {@link InvalidArgumentError} naming `helper` otherwise.
 * @internal
 */
export function episodeMetricBase(episode: EpisodeInfo, env: number, stride: number, helper: string): number {
  const numEnvs = episode.done.length;
  if (!Number.isInteger(env) || env < 0 || env >= numEnvs) {
    throw new InvalidArgumentError(`${helper}(infos, env): env must be an integer in [0, ${numEnvs}), got ${formatValue(env)}`, { env });
  }
  if (episode.metrics.length !== numEnvs * stride) {
    throw new InvalidArgumentError(
      `${helper}(infos, env): these infos have ${episode.metrics.length / numEnvs} metric slots per env, not ${stride}: they come from another env family`,
      { metricNames: episode.metricNames },
    );
  }
  return env * stride;
}
