/**
 * A progress indicator on stderr: one line redrawn with `\r` on a terminal, otherwise a line
 * about every 10%.
 * @module
 */

/** Something progress can be written to (stderr by default). */
export interface ProgressSink {
  /** Whether it is a terminal (redraw in place). */
  isTTY?: boolean;
  /** Writes text. */
  write(text: string): unknown;
}

/** Reports progress of `total` units of work; call {@link Progress.update} often, it throttles itself. */
export class Progress {
  private lastDraw = 0;
  private lastDecile = -1;
  private readonly start = performance.now();
  private finished = false;

  /**
   * @param label - shown before the bar.
   * @param total - units of work (e.g. steps).
   * @param sink - where to draw (default `process.stderr`).
   * @param enabled - when false, nothing is written.
   */
  constructor(private readonly label: string, private readonly total: number,
    private readonly sink: ProgressSink = process.stderr, private readonly enabled = true) {}

  /** Records that `done` units are complete. */
  update(done: number): void {
    if (!this.enabled || this.finished) return;
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    if (this.sink.isTTY) {
      const now = performance.now();
      if (now - this.lastDraw < 100 && done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = Math.round(frac * width);
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      const secs = ((now - this.start) / 1000).toFixed(1);
      this.sink.write(`\r${this.label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${this.total} ${secs}s`);
    } else {
      const decile = Math.floor(frac * 10);
      if (decile <= this.lastDecile) return;
      this.lastDecile = decile;
      const secs = ((performance.now() - this.start) / 1000).toFixed(1);
      this.sink.write(`${this.label}: ${decile * 10}% (${done}/${this.total}, ${secs}s)\n`);
    }
  }

  /** Completes the line (terminal) so later output starts on a fresh line. */
  finish(): void {
    if (!this.enabled || this.finished) return;
    this.update(this.total);
    this.finished = true;
    if (this.sink.isTTY) this.sink.write('\n');
  }
}
