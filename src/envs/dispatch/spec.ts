/**
 * RideDispatch-v0 registration: spaces, agent names, metadata and the engine factory, from one
 * config; and the dict view of a vehicle's flat observation row.
 * @module
 */

import { Box, Dict, Discrete, batchSpace } from '../../spaces/index.js';
import { register } from '../../registry.js';
import type { BatchInfos } from '../../core/types.js';
import type { DispatchAgentInfo, DispatchMetadata } from '../../env-types.js';
import { batchAddon } from '../../backends/batch-addon.js';
import { type DispatchConfig, resolveDispatchConfig } from './config.js';
import { GLOBAL_FEATURES, ORDER_FEATURES, PAIR_FEATURES, checkDispatchBatch, obsLayout, type DispatchObsLayout } from './layout.js';
import { DispatchNativeEngine, dispatchParams } from './native-engine.js';
import { type DispatchInfos, dispatchEpisodeMetrics } from './infos.js';
import { createDispatchGpujsEngine } from './gpujs/engine.js';

/** The blocks of one vehicle's observation, as views on its flat row (see docs/envs/dispatch.md). */
export interface DispatchObservation {
  /** `[12 + 7C]` the vehicle and its committed orders. */
  self: Float32Array;
  /** `[K, 9]` the order slots, shared by every vehicle of the env. */
  orders: Float32Array;
  /** `[K, 2]` pickup ETA / 60 and added minutes / 60 per slot (only with `pairInsertionCost`). */
  pair?: Float32Array;
  /** `[4]` t/T, hour/24, pending/K, idle/V. */
  global: Float32Array;
  /** `[2, Z]` pending orders and idle vehicles per zone (only with `globalMaps`). */
  maps?: Float32Array;
}

/** Splits a flat observation row (`obsSize` floats) into its dict blocks, as subarray views. */
export function splitDispatchObservation(row: Float32Array, layout: DispatchObsLayout): DispatchObservation {
  const at = (b: [number, number]): Float32Array => row.subarray(b[0], b[0] + b[1]);
  const out: DispatchObservation = { self: at(layout.self), orders: at(layout.orders), global: at(layout.global) };
  if (layout.pair[1] > 0) out.pair = at(layout.pair);
  if (layout.maps[1] > 0) out.maps = at(layout.maps);
  return out;
}

register<DispatchConfig>({
  id: 'RideDispatch-v0',
  description: 'Ride-hailing order dispatch after Triple-BERT: one agent per vehicle, Discrete(1 + K + R) bid/reposition actions with masks',
  backends: ['native', 'cuda', 'gpujs'],
  prepare(config, options) {
    const cfg = resolveDispatchConfig(config ?? {});
    const params = dispatchParams(cfg, options);
    checkDispatchBatch(params, cfg.demand.kind === 'replay' ? cfg.demand.replay.length : 0);
    const layout = obsLayout(params);
    const numActions = 1 + cfg.numSlots + cfg.numNeighbours;
    const single = new Box(-Infinity, Infinity, [layout.size], 'float32');
    const blocks: Record<string, Box> = {
      self: new Box(-Infinity, Infinity, [layout.self[1]], 'float32'),
      orders: new Box(-Infinity, Infinity, [cfg.numSlots * ORDER_FEATURES], 'float32'),
      global: new Box(-Infinity, Infinity, [GLOBAL_FEATURES], 'float32'),
    };
    if (cfg.pairInsertionCost) blocks.pair = new Box(-Infinity, Infinity, [cfg.numSlots * PAIR_FEATURES], 'float32');
    if (cfg.globalMaps) blocks.maps = new Box(-Infinity, Infinity, [2 * cfg.numZones], 'float32');
    const action = new Discrete(numActions);
    const possibleAgents = Object.freeze(Array.from({ length: cfg.numVehicles }, (_, i) => `vehicle_${i}`));
    const spec = {
      id: 'RideDispatch-v0',
      possibleAgents,
      singleObservationSpace: single,
      singleActionSpace: action,
      observationSpace: batchSpace(batchSpace(single, cfg.numVehicles), options.numEnvs),
      actionSpace: batchSpace(action, options.numEnvs * cfg.numVehicles),
      numActions,
      metadata: {
        config: {
          numZones: cfg.numZones, numVehicles: cfg.numVehicles, capacity: cfg.capacity, numSlots: cfg.numSlots,
          numNeighbours: cfg.numNeighbours, horizon: cfg.horizon, startHour: cfg.startHour, maxWait: cfg.maxWait,
          demand: cfg.demand.kind, conflictRule: cfg.conflictRule, routeObjective: cfg.routeObjective,
          rewardSharing: cfg.rewardSharing, pairInsertionCost: cfg.pairInsertionCost, globalMaps: cfg.globalMaps,
          cityPerEnv: cfg.cityPerEnv, reposition: cfg.reposition,
        },
        /** Start and length of each block in a vehicle's flat observation row. */
        observationLayout: layout,
        /** The dict observation space of one vehicle; `splitDispatchObservation` gives its value. */
        observationDict: new Dict(blocks),
        city: cfg.city,
      } satisfies Pick<DispatchMetadata, 'config' | 'observationLayout' | 'observationDict' | 'city'>,
      view: {
        agentInfo(infos: BatchInfos, env: number, agent: number): DispatchAgentInfo {
          const d = infos as DispatchInfos;
          const i = env * cfg.numVehicles + agent;
          return {
            actionMask: d.actionMask.slice(i * numActions, (i + 1) * numActions),
            canAct: d.canAct[i] === 1,
            lostBid: d.lostBid[i] === 1,
            invalidAction: d.invalidAction[i] === 1,
            wonSlot: d.wonSlot[i],
            status: d.vehicleStatus[i],
            load: d.vehicleLoad[i],
            position: [d.vehiclePositions[2 * i], d.vehiclePositions[2 * i + 1]],
          };
        },
        episodeMetrics: (infos: BatchInfos, env: number) => dispatchEpisodeMetrics(infos as DispatchInfos, env),
      },
      rewriteConstantInfos: (infos: BatchInfos) => void infos.agentMask.fill(1),
    };
    return {
      spec,
      createEngine(backend) {
        const seeds = new Uint32Array(options.numEnvs);
        for (let e = 0; e < options.numEnvs; e++) seeds[e] = (options.seed + e) >>> 0;
        if (backend === 'gpujs') return createDispatchGpujsEngine(options.gpujs, cfg, params, options, seeds);
        const { addon, backend: onAddon } = batchAddon('RideDispatch-v0', backend);
        return new DispatchNativeEngine(addon, onAddon, cfg, options, seeds);
      },
    };
  },
});
