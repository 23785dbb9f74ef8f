/**
 * manyworlds: thousands of multi-agent environments stepped at once, behind a
 * Gymnasium/PettingZoo-style API.
 * @packageDocumentation
 */

export { make } from './make.js';
export type {
  EnvConfigs, EnvBatchTypes, MapfBatchTypes, VolleyballBatchTypes, DispatchBatchTypes, MapfMetadata, VolleyballMetadata,
  DispatchMetadata, MapfAgentInfo, VolleyballAgentInfo, DispatchAgentInfo,
} from './env-types.js';
export { listEnvs, type EnvListing } from './registry.js';
export { availableBackends } from './backends/select.js';
export { VectorEnv, type VectorEnvMetadata } from './core/vector-env.js';
export { ParallelEnv, type AgentDict, type AgentInfo } from './core/parallel-env.js';
export type {
  AutoresetMode, BackendName, BackendReport, BatchInfos, BatchTypes, EpisodeInfo, MakeOptions, ResetOptions, ResetResult, RolloutResult,
  StepResult,
} from './core/types.js';
export * from './errors.js';
export * as spaces from './spaces/index.js';
export { CounterRng, RngStream, mulhi32, philox4x32_10, rngBelow, rngDraw } from './rng.js';
export type { MapfConfig, CollisionSystem, OnTarget, Cell, NamedMapRef } from './envs/mapf/config.js';
export { type MapfInfos, MAPF_METRIC_NAMES, MAPF_METRICS_BY_MODE, mapfEpisodeMetrics, mapfEnvMap } from './envs/mapf/infos.js';
export * as maps from './envs/mapf/maps.js';
export {
  type VolleyballConfig, type VolleyballTask, type VolleyballActionMode, type VolleyballTaskInfo, VOLLEYBALL_TASKS, VOLLEYBALL_END_CASES,
} from './envs/volleyball/config.js';
export { type VolleyballInfos, volleyballEpisodeMetrics } from './envs/volleyball/infos.js';
export {
  DroneController, DroneTarget, type ControllerGains, DEFAULT_GAINS, HOVER_COMMAND, HOVER_THROTTLE, IRIS, mixRotorThrusts,
  thrustsToCommands,
} from './envs/volleyball/controller.js';
export {
  makeVolleyballPolicy, volleyballAnchor, type VolleyballPolicy, type VolleyballPolicyName,
} from './envs/volleyball/policy.js';
export {
  renderAscii, renderSvg, type MapfFrame, type SvgRenderOptions, SVG_STEP_COUNTER_MAX_FRAMES, AGENT_SYMBOLS,
} from './render/mapf-render.js';
export { renderVolleyballSvg, VOLLEYBALL_TEAM_COLORS, type VolleyballSvgOptions } from './render/volleyball-render.js';
export { collectVolleyballFrames, describeVolleyballEpisode, type VolleyballFrame } from './render/volleyball-frames.js';
export {
  makeDispatchPolicy, dispatchPickupEta, type DispatchPolicy, type DispatchPolicyName,
} from './envs/dispatch/policy.js';
export { renderDispatchSvg, DISPATCH_STATUS_COLORS, type DispatchSvgOptions } from './render/dispatch-render.js';
export {
  collectDispatchFrames, describeDispatchEpisode, DISPATCH_STATUS_NAMES, type DispatchFrame,
} from './render/dispatch-frames.js';
export {
  type DispatchConfig, type DispatchPresetName, type ConflictRule, type RouteObjective, type RewardSharing, DISPATCH_PRESETS,
} from './envs/dispatch/config.js';
export { type RewardCoefficients, type RewardPreset, type RewardSpec, REWARD_PRESETS, REWARD_COEFFICIENT_NAMES } from './envs/dispatch/reward.js';
export type { DemandConfig, DemandRatesConfig, DemandReplayConfig } from './envs/dispatch/demand-config.js';
export type { ReplayOrder } from './envs/dispatch/replay.js';
export { type DispatchCity, type FareCoefficients, type GridCityOptions, blockOfHour, gridCity } from './envs/dispatch/city.js';
export { type CityFile, type CityFileZone, CITY_FILE_FORMAT, parseCityFile, loadCityFile } from './envs/dispatch/city-file.js';
export { type DispatchInfos, dispatchEpisodeMetrics } from './envs/dispatch/infos.js';
export { DISPATCH_METRIC_NAMES, type DispatchObsLayout } from './envs/dispatch/layout.js';
export { type DispatchObservation, splitDispatchObservation } from './envs/dispatch/spec.js';
export {
  type PickupEtaMatrix, type PickupEtaInput, type AssignmentOptions, type AssignmentCost, greedyAssignment, hungarianAssignment,
  assignmentCost, assignmentToActions, maskPickupEta, isFeasibleEta,
} from './envs/dispatch/baselines.js';
export {
  prepareGpujs, chooseGpujsMode, GPUJS_MODES, type GpujsMode, type GpujsOptions, type GpujsChoice, type GpujsSkip,
} from './backends/gpujs/probe.js';
