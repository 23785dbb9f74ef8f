/**
 * Volleyball registrations: one env id per VolleyBots task, with spaces, agent names, teams,
 * metadata and engine factories from one config.
 * @module
 * @internal
 */

import { Box, batchSpace } from '../../spaces/index.js';
import { register } from '../../registry.js';
import type { BatchInfos } from '../../core/types.js';
import type { VolleyballAgentInfo, VolleyballMetadata } from '../../env-types.js';
import { batchAddon } from '../../backends/batch-addon.js';
import { type VolleyballConfig, type VolleyballTask, VOLLEYBALL_TASKS, droneTeams, resolveVolleyballConfig } from './config.js';
import { checkVolleyballBatch, volleyballParams } from './layout.js';
import { VolleyballNativeEngine } from './native-engine.js';
import { VolleyballGpujsEngine } from './gpujs/engine.js';
import { GpujsRuntime } from '../../backends/gpujs/runtime.js';
import { chooseGpujsMode } from '../../backends/gpujs/probe.js';
import { type VolleyballInfos, volleyballEpisodeMetrics } from './infos.js';

for (const task of Object.keys(VOLLEYBALL_TASKS) as VolleyballTask[]) {
  const id = `Volleyball-${task}-v0`;
  const info = VOLLEYBALL_TASKS[task];
  register<VolleyballConfig>({
    id,
    description: `VolleyBots ${task}: ${info.description}; ${info.drones} Iris drone${info.drones > 1 ? 's' : ''}, Box(4) per-rotor thrust`,
    backends: ['native', 'cuda', 'gpujs'],
    prepare(config, options) {
      const cfg = resolveVolleyballConfig(id, task, config ?? {});
      checkVolleyballBatch(volleyballParams(cfg, options));
      const single = new Box(-Infinity, Infinity, [info.obsDim], 'float32');
      // Rotor commands beyond [-1, 1] are clipped; CTBR actions pass through tanh (any finite value).
      const action = cfg.actionMode === 'rotorThrust' ? new Box(-1, 1, [4], 'float32') : new Box(-Infinity, Infinity, [4], 'float32');
      const possibleAgents = Object.freeze(Array.from({ length: info.drones }, (_, i) => `drone_${i}`));
      const teams = Object.freeze(droneTeams(info));
      const spec = {
        id,
        possibleAgents,
        singleObservationSpace: single,
        singleActionSpace: action,
        observationSpace: batchSpace(batchSpace(single, info.drones), options.numEnvs),
        actionSpace: batchSpace(batchSpace(action, info.drones), options.numEnvs),
        numActions: null,
        actionSize: 4,
        metadata: {
          config: {
            task, actionMode: cfg.actionMode, substeps: cfg.substeps, maxEpisodeSteps: cfg.maxEpisodeSteps,
            randomServe: cfg.randomServe, court: info.court, teamSize: info.teamSize,
          },
          teams,
          controlHz: 50,
        } satisfies Pick<VolleyballMetadata, 'config' | 'teams' | 'controlHz'>,
        view: {
          agentInfo(infos: BatchInfos, env: number, agent: number): VolleyballAgentInfo {
            const m = infos as VolleyballInfos;
            const i = env * info.drones + agent;
            return {
              team: teams[agent],
              position: Array.from(m.drones.subarray(13 * i, 13 * i + 3)),
              velocity: Array.from(m.drones.subarray(13 * i + 7, 13 * i + 10)),
              hit: m.hits[i] === 1,
            };
          },
          episodeMetrics: (infos: BatchInfos, env: number) => volleyballEpisodeMetrics(infos as VolleyballInfos, env),
        },
        rewriteConstantInfos(infos: BatchInfos) {
          const m = infos as VolleyballInfos;
          m.agentMask.fill(1);
          m.teams.set(teams);
        },
      };
      return {
        spec,
        createEngine(backend) {
          const seeds = new Uint32Array(options.numEnvs);
          for (let e = 0; e < options.numEnvs; e++) seeds[e] = (options.seed + e) >>> 0;
          if (backend === 'gpujs') return new VolleyballGpujsEngine(new GpujsRuntime(chooseGpujsMode(options.gpujs)), cfg, options, seeds);
          const { addon, backend: onAddon } = batchAddon(id, backend);
          return new VolleyballNativeEngine(addon, onAddon, cfg, options, seeds);
        },
      };
    },
  });
}
