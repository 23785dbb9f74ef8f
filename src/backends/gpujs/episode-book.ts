/**
 * The episode bookkeeping every gpujs engine shares, as `EpisodeBook` in
 * `native/common/episodes.h`: which envs were seeded and not yet stepped (their next reset starts
 * episode 0), and which were ever reset (stepping any other would read unset state).
 * @module
 * @internal
 */

/** Seeded-and-fresh and ever-reset flags of a batch's envs. @internal */
export class EpisodeBook {
  private readonly fresh: Uint8Array;
  private readonly initialized: Uint8Array;
  private numInitialized = 0;
  private anyFresh = true;

  constructor(private readonly numEnvs: number) {
    this.fresh = new Uint8Array(numEnvs).fill(1);
    this.initialized = new Uint8Array(numEnvs);
  }

  /** Seeds the masked envs (all if `mask` is null): seed, episode 0, fresh. */
  setSeeds(input: Uint32Array, mask: Uint8Array | null, seeds: Uint32Array, episode: Uint32Array): void {
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      seeds[e] = input[e];
      episode[e] = 0;
      this.fresh[e] = 1;
      this.anyFresh = true;
    }
  }

  /** Before resetting the masked envs: a fresh env starts episode 0, any other its next one. */
  startEpisodes(mask: Uint8Array | null, episode: Uint32Array): void {
    for (let e = 0; e < this.numEnvs; e++) {
      if (mask && !mask[e]) continue;
      if (this.fresh[e]) this.fresh[e] = 0;
      else episode[e] = (episode[e] + 1) >>> 0;
      if (!this.initialized[e]) {
        this.initialized[e] = 1;
        this.numInitialized++;
      }
    }
  }

  /** A step consumes the seeded state: later resets start new episodes. */
  stepTaken(): void {
    if (!this.anyFresh) return;
    this.fresh.fill(0);
    this.anyFresh = false;
  }

  /** Env `e` must be reset before its next step (its map changed, or its placement failed). */
  uninitialize(e: number): void {
    if (!this.initialized[e]) return;
    this.initialized[e] = 0;
    this.numInitialized--;
  }

  /** First env never reset since it was created or uninitialized, or -1. */
  firstUninitialized(): number {
    if (this.numInitialized === this.numEnvs) return -1;
    for (let e = 0; e < this.numEnvs; e++) if (!this.initialized[e]) return e;
    return -1;
  }
}
