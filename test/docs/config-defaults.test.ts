/**
 * The defaults that the configuration tables of docs/envs/mapf.md, volleyball.md and dispatch.md
 * state are the code's defaults. Each "| field | default | ... |" table is parsed; a row whose
 * default is a plain literal (a number, `'string'`, `true`/`false`, `Infinity`; a list "8, 8" for
 * a row of several fields, or one value for all of them) is compared with the resolved
 * configuration of an env made with no config: `env.metadata.config` (native backend when it
 * loads), or, where a field is renamed, nested or not published there, the explicit getters
 * below, which read `metadata.city`, the resolved config (`resolve*Config({})`, what `make()`
 * calls), or check that giving the documented value explicitly resolves to the same config.
 * Every other row must be listed in SKIP with its reason, so a new row forces a decision.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  REWARD_COEFFICIENT_NAMES, REWARD_PRESETS, availableBackends, make, type DispatchCity, type MakeOptions,
} from '../../src/index.js';
import { resolveDispatchConfig } from '../../src/envs/dispatch/config.js';
import { resolveMapfConfig } from '../../src/envs/mapf/config.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** DOCS_ROOT lets a scratch copy of the docs stand in (to show that a wrong default fails). */
const docsRoot = process.env.DOCS_ROOT ?? root;
const backend = availableBackends().some((b) => b.name === 'native' && b.available) ? 'native' : 'gpujs';

interface Row { where: string; fields: string[]; cell: string }
const NOT_LITERAL = Symbol('not a literal');

/** Rows of every table whose header is `| field | default | ...`, with the doc line. */
function configRows(doc: string): Row[] {
  const lines = readFileSync(join(docsRoot, doc), 'utf8').split('\n');
  const rows: Row[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\| field \| default \|/.test(lines[i])) continue;
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const cells = lines[j].split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim());
      rows.push({ where: `${doc}:${j + 1}`, fields: [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]), cell: cells[1] });
    }
  }
  return rows;
}

function literal(text: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  const s = /^`'([^'`]*)'`$/.exec(text);
  if (s) return s[1];
  const b = /^`?(true|false)`?$/.exec(text);
  if (b) return b[1] === 'true';
  return text === '`Infinity`' ? Infinity : NOT_LITERAL;
}

/** The documented value of each field of a row, or null when the default is not a plain literal. */
function literals(row: Row): unknown[] | null {
  // "(or the city file's `fare`)": an alternative for city files only; these envs use no city file.
  const parts = row.cell.replace(/\s*\(or the city file's [^)]*\)$/, '').split(/,\s*/).map(literal);
  if (parts.includes(NOT_LITERAL)) return null;
  if (parts.length === 1) return row.fields.map(() => parts[0]);
  return parts.length === row.fields.length ? parts : null;
}

/** What a getter sees: the env's metadata and the config resolved from `{}` (or with one field set). */
interface Ctx { config: Record<string, unknown>; meta: Record<string, unknown>; resolve: (config: object) => unknown }
type Getter = (c: Ctx, documented: unknown, field: string) => unknown;

/** For fields the resolved config does not keep: the documented value if setting it explicitly changes nothing. */
const same: Getter = (c, v, field) => (isDeepStrictEqual(c.resolve({}), c.resolve({ [field]: v })) ? v : `(not the default: {${field}: ${String(v)}} resolves differently)`);
const city = (c: Ctx): DispatchCity => c.meta.city as DispatchCity;
const INT32_MAX = 2 ** 31 - 1;

interface EnvCase { doc: string; ids: string[]; options: Partial<MakeOptions<unknown>>; resolve: (config: object) => unknown; getters: Record<string, Getter>; skip: Record<string, string> }

/** Volleyball task ids and their episode caps, from the Tasks table of the doc. */
const tasks = readFileSync(join(docsRoot, 'docs/envs/volleyball.md'), 'utf8').split('\n')
  .map((l) => /^\| `(Volleyball-[^`]+)` \|(?:[^|]*\|){3}\s*(\d+)\s*\|/.exec(l)).filter((m) => m !== null).map((m) => ({ id: m[1], cap: Number(m[2]) }));

const CASES: EnvCase[] = [
  {
    doc: 'docs/envs/mapf.md', ids: ['MAPF-v0'], options: {},
    // The map generator's spec lives in a closure: compare the maps it draws instead of the function.
    resolve: (cfg) => { const r = resolveMapfConfig(cfg); return { ...r, mapFor: [0, 1, 2, 3].map((s) => r.mapFor(s)) }; },
    getters: { size: same, density: same },
    skip: {
      numAgents: 'depends on the map letters or agentsXY ("else 1")',
      map: 'not a literal (a random map)', mapName: 'no default', agentsXY: 'no default', targetsXY: 'no default',
      possibleAgentsXY: 'depends on the map string', possibleTargetsXY: 'depends on the map string',
      mapPerEnv: 'qualified ("`true` for generated maps")',
    },
  },
  {
    doc: 'docs/envs/volleyball.md', ids: tasks.map((t) => t.id), options: {},
    resolve: () => null, getters: {},
    skip: { maxEpisodeSteps: "the task's cap: checked per task against the Tasks table below" },
  },
  {
    doc: 'docs/envs/dispatch.md', ids: ['RideDispatch-v0'], options: { numEnvs: 1 },
    resolve: (cfg) => resolveDispatchConfig(cfg),
    getters: {
      preset: same, speedKmh: same,
      gridWidth: (c) => city(c).width, gridHeight: (c) => city(c).height,
      cellKm: (c) => city(c).distKm[1], // zone 0 to zone 1: one cell
      intraZoneMin: (c) => city(c).travelMin[0], // the diagonal of the (single-block) table
      horizonSteps: (c) => c.config.horizon, maxWaitSteps: (c) => c.config.maxWait, repositionEnabled: (c) => c.config.reposition,
      ...Object.fromEntries(['demandScale', 'ordersPerVehicleMinute', 'gravityBeta', 'partyMax', 'allowIntraZone', 'fareBase', 'farePerKm', 'farePerMin']
        .map((f): [string, Getter] => [f, (c) => (c.resolve({}) as Record<string, unknown>)[f]])),
      maxPickupMin: (c) => { const m = (c.resolve({}) as { maxPickupMin: number }).maxPickupMin; return m === INT32_MAX ? Infinity : m; },
      // The resolved reward is a Float32Array of coefficients: name the preset it equals.
      reward: (c) => {
        const v = Array.from((c.resolve({}) as { reward: Float32Array }).reward);
        return Object.entries(REWARD_PRESETS).find(([, p]) => isDeepStrictEqual(Array.from(Float32Array.from(REWARD_COEFFICIENT_NAMES, (k) => p[k])), v))?.[0] ?? v;
      },
    },
    skip: {
      city: 'not a literal ("an 8 × 8 grid"; its size is the gridWidth, gridHeight row)',
      demand: "conditional on the city file's originRates",
      numNeighbours: 'conditional on the city kind and repositionEnabled',
    },
  },
];

describe.each(CASES)('documented config defaults: $doc', (c) => {
  const rows = configRows(c.doc);
  const kept = rows.flatMap((row) => { const v = literals(row); return v ? row.fields.map((field, i) => ({ where: row.where, field, documented: v[i] })) : []; });

  it('every row is either compared or skipped with a reason', () => {
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const unaccounted = rows.filter((r) => !literals(r) && r.fields.some((f) => !(f in c.skip))).map((r) => `${r.where} ${r.fields.join(', ')}`);
    expect(unaccounted).toEqual([]);
    expect(kept.filter((k) => k.field in c.skip).map((k) => k.field)).toEqual([]);
  });

  it.each(c.ids)('%s: literal defaults equal the resolved config of make() with no config', (id) => {
    using env = make(id, { numEnvs: 2, seed: 1, numThreads: 1, backend, ...c.options } as MakeOptions<unknown>);
    const meta = env.metadata as Record<string, unknown>;
    const ctx: Ctx = { config: meta.config as Record<string, unknown>, meta, resolve: c.resolve };
    const wrong = kept.flatMap(({ where, field, documented }) => {
      const get: Getter = c.getters[field] ?? ((x) => (field in x.config ? x.config[field] : '(not in metadata.config: add a getter)'));
      const actual = get(ctx, documented, field);
      return Object.is(actual, documented) ? [] : [`${where} ${field}: documented ${String(documented)}, code ${String(actual)}`];
    });
    expect(wrong).toEqual([]);
    expect(kept.length).toBeGreaterThanOrEqual(3);
    if (id.startsWith('Volleyball-')) expect(ctx.config.maxEpisodeSteps, `${id} cap`).toBe(tasks.find((t) => t.id === id)!.cap);
  });
});

it('the Volleyball Tasks table lists the nine tasks', () => expect(tasks.length).toBe(9));
