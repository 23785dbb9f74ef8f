/**
 * The types `make()` gives each env id: its configuration ({@link EnvConfigs}) and the types of
 * its batch ({@link EnvBatchTypes}): observations, actions, infos, spaces, metadata and the
 * per-agent infos of a `parallelView()`.
 * @module
 */

import type { BatchTypes } from './core/types.js';
import type { VectorEnvMetadata } from './core/vector-env.js';
import type { AgentInfo } from './core/parallel-env.js';
import type { MapfConfig } from './envs/mapf/config.js';
import type { VolleyballConfig, VolleyballTask, VolleyballTaskInfo } from './envs/volleyball/config.js';
import type { ConflictRule, DispatchConfig, RewardSharing, RouteObjective } from './envs/dispatch/config.js';
import type { MapfInfos } from './envs/mapf/infos.js';
import type { VolleyballInfos } from './envs/volleyball/infos.js';
import type { DispatchInfos } from './envs/dispatch/infos.js';
import type { DispatchObsLayout } from './envs/dispatch/layout.js';
import type { DispatchCity } from './envs/dispatch/city.js';
import type { Box, Dict, Discrete, MultiDiscrete } from './spaces/index.js';

/** Env ids with a typed configuration. */
export interface EnvConfigs {
  /** Grid multi-agent pathfinding after POGEMA. */
  'MAPF-v0': MapfConfig;
  /** VolleyBots Back and Forth: one drone flies between two points. */
  'Volleyball-BackAndForth-v0': VolleyballConfig;
  /** VolleyBots Hit the Ball. */
  'Volleyball-HitBall-v0': VolleyballConfig;
  /** VolleyBots Solo Bump (juggling). */
  'Volleyball-SoloBump-v0': VolleyballConfig;
  /** VolleyBots Bump and Pass (two cooperative drones). */
  'Volleyball-BumpAndPass-v0': VolleyballConfig;
  /** VolleyBots Set and Spike (Easy). */
  'Volleyball-SetAndSpike-v0': VolleyballConfig;
  /** VolleyBots Set and Spike (Hard), with the scripted defending board. */
  'Volleyball-SetAndSpikeHard-v0': VolleyballConfig;
  /** VolleyBots 1 vs 1. */
  'Volleyball-1v1-v0': VolleyballConfig;
  /** VolleyBots 3 vs 3. */
  'Volleyball-3v3-v0': VolleyballConfig;
  /** VolleyBots 6 vs 6. */
  'Volleyball-6v6-v0': VolleyballConfig;
  /** Ride-hailing order dispatch after Triple-BERT. */
  'RideDispatch-v0': DispatchConfig;
}

/** MAPF-v0's batch types: `Uint8Array` observations for `obsDtype: 'uint8'`, else `Float32Array`. */
export interface MapfBatchTypes<D extends 'float32' | 'uint8' = 'float32' | 'uint8'> extends BatchTypes {
  /** `[E, A, 3, 2r+1, 2r+1]` obstacle, agent and goal planes. */
  obs: D extends 'uint8' ? Uint8Array : Float32Array;
  /** `[E, A]` move indices 0..4. */
  actions: Int32Array;
  /** Positions, goals, metrics; `finalObs` has the observations' type. */
  infos: MapfInfos & {
    /** `[E, A, 3, 2r+1, 2r+1]` last observation of the ended episodes, in the observations' type. */
    finalObs?: D extends 'uint8' ? Uint8Array : Float32Array;
  };
  /** `[3, 2r+1, 2r+1]` in [0, 1]. */
  singleObservationSpace: Box<D>;
  /** Discrete(5): stay, up, down, left, right. */
  singleActionSpace: Discrete;
  /** `[E, A, 3, 2r+1, 2r+1]`. */
  observationSpace: Box<D>;
  /** `[E * A]` moves. */
  actionSpace: MultiDiscrete;
  /** With the resolved config. */
  metadata: MapfMetadata;
  /** Position, goal, activity. */
  agentInfo: MapfAgentInfo;
}

/** `env.metadata` of a MAPF-v0 batch. */
export interface MapfMetadata extends VectorEnvMetadata {
  /** The configuration the batch runs, defaults filled in. */
  config: Required<Pick<MapfConfig, 'numAgents' | 'height' | 'width' | 'obsRadius' | 'collisionSystem' | 'onTarget' |
    'maxEpisodeSteps' | 'obsDtype' | 'mapPerEnv' | 'pomapfExtras'>>;
}

/** `env.metadata` of a volleyball batch. */
export interface VolleyballMetadata extends VectorEnvMetadata {
  /** The configuration the batch runs, defaults filled in, with the task's court (length, width in m) and team size. */
  config: Required<Pick<VolleyballConfig, 'actionMode' | 'substeps' | 'maxEpisodeSteps' | 'randomServe'>> &
    Pick<VolleyballTaskInfo, 'court' | 'teamSize'> & {
      /** The task of the env id. */
      task: VolleyballTask;
    };
  /** Team of each drone (0 or 1; all 0 in drills and cooperative tasks). */
  teams: readonly number[];
  /** Control steps per second (50). */
  controlHz: number;
}

/** `env.metadata` of a RideDispatch-v0 batch. */
export interface DispatchMetadata extends VectorEnvMetadata {
  /** The configuration the batch runs, defaults filled in (Z zones, V vehicles, C seats, K slots, R neighbours, T steps). */
  config: {
    /** Z, zones of the city. */
    numZones: number;
    /** V, vehicles (agents) per env. */
    numVehicles: number;
    /** C, seats per vehicle. */
    capacity: number;
    /** K, order slots. */
    numSlots: number;
    /** R, reposition targets per vehicle (0 when repositioning is off). */
    numNeighbours: number;
    /** T, steps (minutes) per episode (`horizonSteps`). */
    horizon: number;
    /** Hour of day of step 0. */
    startHour: number;
    /** Steps an order waits before it expires (`maxWaitSteps`). */
    maxWait: number;
    /** Kind of demand source. */
    demand: 'synthetic' | 'rates' | 'replay';
    /** How conflicting bids are settled. */
    conflictRule: ConflictRule;
    /** What a vehicle's route plan minimises. */
    routeObjective: RouteObjective;
    /** Per-vehicle or team rewards. */
    rewardSharing: RewardSharing;
    /** Whether observations carry the pair block (pickup ETA and added minutes per slot). */
    pairInsertionCost: boolean;
    /** Whether observations carry the zone maps. */
    globalMaps: boolean;
    /** Whether each env draws its own synthetic city. */
    cityPerEnv: boolean;
    /** Whether reposition actions are enabled. */
    reposition: boolean;
  };
  /** Start and length of each block in a vehicle's flat observation row (`splitDispatchObservation`). */
  observationLayout: DispatchObsLayout;
  /** The dict observation space of one vehicle. */
  observationDict: Dict;
  /** The city geometry and travel times, shared by every env (`cityPerEnv` varies only the demand). */
  city: DispatchCity;
}

/** One agent's info in a MAPF-v0 `parallelView()`. */
export interface MapfAgentInfo extends AgentInfo {
  /** Whether the agent still acts (in `finish` mode it stops on its goal). */
  isActive: boolean;
  /** (row, col) in map coordinates. */
  position: [number, number];
  /** (row, col) of the current goal. */
  goal: [number, number];
  /** With `pomapfExtras`: the position relative to the start, as POGEMA's `xy`. */
  xy?: [number, number];
  /** With `pomapfExtras`: the goal relative to the start, as POGEMA's `target_xy`. */
  targetXY?: [number, number];
}

/** One drone's info in a volleyball `parallelView()`. */
export interface VolleyballAgentInfo extends AgentInfo {
  /** Team 0 or 1 (0 in drills and cooperative tasks). */
  team: number;
  /** Position (x, y, z) in metres. */
  position: number[];
  /** Velocity (x, y, z) in m/s. */
  velocity: number[];
  /** Whether the drone made a legal hit on this step. */
  hit: boolean;
}

/** One vehicle's info in a RideDispatch-v0 `parallelView()`. */
export interface DispatchAgentInfo extends AgentInfo {
  /** `[1 + K + R]` 1 where the action is valid now. */
  actionMask: Uint8Array;
  /** Whether some action other than the no-op is valid now. */
  canAct: boolean;
  /** Whether its bid lost to another vehicle on this step. */
  lostBid: boolean;
  /** Whether its action was invalid (masked) and ran as a no-op. */
  invalidAction: boolean;
  /** The slot it won on this step, or -1. */
  wonSlot: number;
  /** 0 idle, 1 to pickup, 2 to drop-off, 3 repositioning. */
  status: number;
  /** Seats taken (awaiting pickup and on board). */
  load: number;
  /** Position along its current leg, normalised to [0, 1]. */
  position: [number, number];
}

/** Volleyball batch types. */
export interface VolleyballBatchTypes extends BatchTypes {
  /** `[E, A, obsSize]` per-drone observations. */
  obs: Float32Array;
  /** `[E, A, 4]` rotor commands in [-1, 1]. */
  actions: Float32Array;
  /** Ball, drones, hits, metrics. */
  infos: VolleyballInfos;
  /** `[obsSize]`. */
  singleObservationSpace: Box<'float32'>;
  /** `[4]` in [-1, 1]. */
  singleActionSpace: Box<'float32'>;
  /** `[E, A, obsSize]`. */
  observationSpace: Box<'float32'>;
  /** `[E, A, 4]`. */
  actionSpace: Box<'float32'>;
  /** With the teams. */
  metadata: VolleyballMetadata;
  /** Team, position, velocity, hit. */
  agentInfo: VolleyballAgentInfo;
}

/** RideDispatch-v0's batch types. */
export interface DispatchBatchTypes extends BatchTypes {
  /** `[E, V, obsSize]` per-vehicle observations. */
  obs: Float32Array;
  /** `[E, V]` action indices (no-op, bid on a slot, reposition). */
  actions: Int32Array;
  /** Action masks, fleet and order state, metrics. */
  infos: DispatchInfos;
  /** `[obsSize]`. */
  singleObservationSpace: Box<'float32'>;
  /** Discrete(1 + K + R). */
  singleActionSpace: Discrete;
  /** `[E, V, obsSize]`. */
  observationSpace: Box<'float32'>;
  /** `[E * V]` actions. */
  actionSpace: MultiDiscrete;
  /** With the observation layout and the city. */
  metadata: DispatchMetadata;
  /** Action mask and vehicle state. */
  agentInfo: DispatchAgentInfo;
}

/** The batch types `make()` returns for each env id (MAPF-v0's observations: see {@link MapfBatchTypes}). */
export interface EnvBatchTypes {
  /** Grid multi-agent pathfinding. */
  'MAPF-v0': MapfBatchTypes;
  /** VolleyBots Back and Forth. */
  'Volleyball-BackAndForth-v0': VolleyballBatchTypes;
  /** VolleyBots Hit the Ball. */
  'Volleyball-HitBall-v0': VolleyballBatchTypes;
  /** VolleyBots Solo Bump. */
  'Volleyball-SoloBump-v0': VolleyballBatchTypes;
  /** VolleyBots Bump and Pass. */
  'Volleyball-BumpAndPass-v0': VolleyballBatchTypes;
  /** VolleyBots Set and Spike (Easy). */
  'Volleyball-SetAndSpike-v0': VolleyballBatchTypes;
  /** VolleyBots Set and Spike (Hard). */
  'Volleyball-SetAndSpikeHard-v0': VolleyballBatchTypes;
  /** VolleyBots 1 vs 1. */
  'Volleyball-1v1-v0': VolleyballBatchTypes;
  /** VolleyBots 3 vs 3. */
  'Volleyball-3v3-v0': VolleyballBatchTypes;
  /** VolleyBots 6 vs 6. */
  'Volleyball-6v6-v0': VolleyballBatchTypes;
  /** Ride-hailing order dispatch. */
  'RideDispatch-v0': DispatchBatchTypes;
}
