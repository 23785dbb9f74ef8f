/**
 * MAPF-v0 registration: spaces, agent names, metadata and engine factories, from one config.
 * @module
 * @internal
 */

import { Box, Discrete, batchSpace } from '../../spaces/index.js';
import { register } from '../../registry.js';
import type { BatchInfos } from '../../core/types.js';
import type { MapfAgentInfo, MapfMetadata } from '../../env-types.js';
import { batchAddon } from '../../backends/batch-addon.js';
import { GpujsRuntime } from '../../backends/gpujs/runtime.js';
import { chooseGpujsMode } from '../../backends/gpujs/probe.js';
import { type MapfConfig, resolveMapfConfig } from './config.js';
import type { GridMap } from './maps.js';
import { MapfNativeEngine, mapfParams } from './native-engine.js';
import { checkBatchSize } from './layout.js';
import { MapfGpujsEngine } from './gpujs/engine.js';
import { MapfShardedGpujsEngine, SHARD_THREADS_UNAVAILABLE } from '../../backends/gpujs-shards/mapf-engine.js';
import { type MapfInfos, mapfEpisodeMetrics } from './infos.js';

register<MapfConfig>({
  id: 'MAPF-v0',
  description: 'Grid multi-agent pathfinding after POGEMA 2.0.0a: one-shot, classical and lifelong; Discrete(5) per agent',
  backends: ['native', 'cuda', 'gpujs'],
  prepare(config, options) {
    const cfg = resolveMapfConfig(config ?? {});
    checkBatchSize(mapfParams(cfg, options), options.numThreads, options.maxBufferBytes, 'MAPF-v0');
    const d = 2 * cfg.obsRadius + 1;
    const single = new Box(0, 1, [3, d, d], cfg.obsDtype);
    const action = new Discrete(5);
    const possibleAgents = Object.freeze(Array.from({ length: cfg.numAgents }, (_, i) => `agent_${i}`));
    const spec = {
      id: 'MAPF-v0',
      possibleAgents,
      singleObservationSpace: single,
      singleActionSpace: action,
      observationSpace: batchSpace(batchSpace(single, cfg.numAgents), options.numEnvs),
      actionSpace: batchSpace(action, options.numEnvs * cfg.numAgents),
      numActions: 5,
      envMap(envSeed: number, firstSeed: number): GridMap {
        const m = cfg.mapFor(cfg.mapPerEnv ? envSeed : firstSeed);
        return { height: m.height, width: m.width, cells: Uint8Array.from(m.cells) };  // the caller's copy
      },
      metadata: {
        config: {
          numAgents: cfg.numAgents, height: cfg.height, width: cfg.width, obsRadius: cfg.obsRadius,
          collisionSystem: cfg.collisionSystem, onTarget: cfg.onTarget, maxEpisodeSteps: cfg.maxEpisodeSteps,
          obsDtype: cfg.obsDtype, mapPerEnv: cfg.mapPerEnv, pomapfExtras: cfg.pomapfExtras,
        },
      } satisfies Pick<MapfMetadata, 'config'>,
      view: {
        agentInfo(infos: BatchInfos, env: number, agent: number): MapfAgentInfo {
          const m = infos as MapfInfos;
          const i = env * cfg.numAgents + agent;
          const info: MapfAgentInfo = {
            isActive: m.agentMask[i] === 1,
            position: [m.positions[2 * i], m.positions[2 * i + 1]],
            goal: [m.goals[2 * i], m.goals[2 * i + 1]],
          };
          if (m.xyRelative && m.targetXYRelative) {
            info.xy = [m.xyRelative[2 * i], m.xyRelative[2 * i + 1]];
            info.targetXY = [m.targetXYRelative[2 * i], m.targetXYRelative[2 * i + 1]];
          }
          return info;
        },
        episodeMetrics: (infos: BatchInfos, env: number) => mapfEpisodeMetrics(infos as MapfInfos, env, cfg.onTarget),
      },
    };
    return {
      spec,
      createEngine(backend) {
        const seeds = new Uint32Array(options.numEnvs);
        for (let e = 0; e < options.numEnvs; e++) seeds[e] = (options.seed + e) >>> 0;
        if (backend === 'gpujs') {
          const choice = chooseGpujsMode(options.gpujs);
          // Worker threads only when asked for (starting them costs ~0.2 s, too much for small
          // batches), and only in Node: the browser bundle steps the batch on one thread.
          if (options.numThreadsGiven && options.numThreads > 1 && SHARD_THREADS_UNAVAILABLE === null) return new MapfShardedGpujsEngine(cfg, config, options, seeds, choice);
          return new MapfGpujsEngine(new GpujsRuntime(choice), cfg, options, seeds);
        }
        const { addon, backend: onAddon } = batchAddon('MAPF-v0', backend);
        return new MapfNativeEngine(addon, onAddon, cfg, options, seeds);
      },
    };
  },
});
