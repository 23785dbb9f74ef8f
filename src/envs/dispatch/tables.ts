/**
 * Assembles the native city tables of RideDispatch-v0 (the city part of `View` in
 * dispatch_types.h) from a resolved configuration: one city, or one per env seed.
 * @module
 */

import { blockOfHour, cityNeighbours, type DispatchCity, travelTable } from './city.js';
import type { ResolvedDispatchConfig } from './config.js';
import { buildDemandTables, gravityDestinations, syntheticDemand } from './demand.js';

/** The tables of one city, shapes as in `View` without the leading city index M. */
export interface DispatchCityTables {
  /** `[Z, 2]` normalised zone coordinates. */
  zoneXY: Float32Array;
  /** `[Bt, Z, Z]` travel minutes ≥ 1 (Bt = `travelBins`). */
  travelMin: Int32Array;
  /** `[Z, Z]` trip kilometres. */
  distKm: Float32Array;
  /** `[Z, R]` reposition targets, −1 = none. */
  neighbours: Int32Array;
  /** `[B, P]` arrival-count CDF. */
  arrivalCdf: Uint32Array;
  /** `[B, Z]` origin CDF. */
  originCdf: Uint32Array;
  /** `[B, Z, Z]` destination CDF. */
  destCdf: Uint32Array;
  /** `[24, Z]` orders per hour by origin (demandScale not applied; zeros in replay mode). */
  originRates: Float64Array;
}

/**
 * Builds the tables of the city an env with seed `seed` uses. Only synthetic demand depends on the
 * seed (its hot spots); every other source gives the same tables for any seed. In replay mode the
 * sampling tables are placeholders (no arrivals, uniform origins and destinations) that the native
 * core does not read. The arrival rows have the batch-wide length `cfg.poissonLen`.
 */
export function buildCityTables(cfg: ResolvedDispatchConfig, seed: number): DispatchCityTables {
  const city: DispatchCity = cfg.city;
  const z = city.numZones;
  const opts = { demandScale: cfg.demandScale, allowIntraZone: cfg.allowIntraZone, poissonLen: cfg.poissonLen };
  let originRates: Float64Array;
  let demand;
  const d = cfg.demand;
  if (d.kind === 'synthetic') {
    const s = syntheticDemand(city, seed, {
      ordersPerHour: cfg.ordersPerVehicleMinute * cfg.numVehicles * 60, gravityBeta: cfg.gravityBeta, allowIntraZone: cfg.allowIntraZone,
    });
    originRates = s.originRates;
    demand = buildDemandTables(city, originRates, s.destinations, opts);
  } else if (d.kind === 'rates') {
    originRates = d.originRates;
    demand = buildDemandTables(city, originRates, d.destWeights ?? gravityDestinations(city, originRates, cfg.gravityBeta, cfg.allowIntraZone), opts);
  } else {
    originRates = new Float64Array(z);
    demand = buildDemandTables(city, originRates, new Float64Array(z * z), opts);
  }
  const rates24 = new Float64Array(24 * z);
  const blocks = originRates.length / z;
  for (let h = 0; h < 24; h++) {
    const b = blockOfHour(h, blocks);
    rates24.set(originRates.subarray(b * z, (b + 1) * z), h * z);
  }
  return {
    zoneXY: city.zoneXY,
    travelMin: travelTable(city, cfg.demandBins).travelMin,
    distKm: city.distKm,
    neighbours: cityNeighbours(city, cfg.numNeighbours),
    arrivalCdf: demand.arrivalCdf,
    originCdf: demand.originCdf,
    destCdf: demand.destCdf,
    originRates: rates24,
  };
}
