/**
 * What the documentation snippets import in place of `'manyworlds'`: the whole public API, with
 * `make` wrapped to record each env a snippet makes and what its first `reset()` returned, so that
 * the snippet test can check the shapes the snippets' comments state.
 */
import { make as makeEnv, type MakeOptions, type VectorEnv } from '../../src/index.js';

export * from '../../src/index.js';

/** One env a snippet made, and what its first reset returned. */
export interface MadeEnv {
  env: VectorEnv;
  /** Constructor name of the reset's observation buffer, '' before the first reset. */
  obsType: string;
  /** Shape `[E, A, obsSize]` of the reset's observations. */
  obsShape: number[];
  /** Length of `infos.actionMask` when the env has one, else -1. */
  maskLength: number;
}

/** Every env made through this module, in order. */
export const made: MadeEnv[] = [];

/** `make` with its typed overloads, recording the env and its first reset in {@link made}. */
export const make = recordingMake as typeof makeEnv;

function recordingMake(id: string, options?: MakeOptions<unknown>): VectorEnv {
  const env: VectorEnv = makeEnv(id, options);
  const rec: MadeEnv = { env, obsType: '', obsShape: [], maskLength: -1 };
  const reset = env.reset.bind(env);
  env.reset = (opts) => {
    const r = reset(opts);
    if (rec.obsType === '') {
      rec.obsType = r.obs.constructor.name;
      rec.obsShape = [env.numEnvs, env.numAgents, r.obs.length / (env.numEnvs * env.numAgents)];
      const mask = (r.infos as { actionMask?: ArrayLike<number> }).actionMask;
      rec.maskLength = mask ? mask.length : -1;
    }
    return r;
  };
  made.push(rec);
  return env;
}
