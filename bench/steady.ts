/**
 * When to stop warming an analysis up. The first run of a process is mostly V8 compiling and
 * optimizing the code (at 10k components the path phases took 0.84 s cold and 0.16 s once warm), so
 * a benchmark that wants the analysis's own cost runs it again until the best time per phase stops
 * improving. Large sizes get fewer runs: a 1M run takes minutes.
 */
export const steadyRuns = {
  /** Most warm runs at any size. */
  maxRuns: 30,
  /** A best total that moved by less than this share over the last `window` runs is steady. */
  tolerance: 0.02,
  window: 3,

  /** Warm runs every size gets, however long they take. */
  minRuns(size: number): number {
    return size <= 10_000 ? 3 : size <= 100_000 ? 1 : 0;
  },

  /**
   * Whether to run once more, after `done` warm runs taking `elapsedMs`, the last run (the cold one
   * before any warm run) `lastMs`: `history` is the best total after each run (cold first). Stops at
   * the run limit, once the minimum is run and another run would overrun the budget, or once the
   * best total is steady.
   */
  more(
    done: number,
    history: readonly number[],
    elapsedMs: number,
    lastMs: number,
    budgetS: number,
    size: number,
  ): boolean {
    if (done >= this.maxRuns) return false;
    if (done < this.minRuns(size)) return true;
    if (elapsedMs + lastMs > budgetS * 1000) return false;
    if (history.length <= this.window) return true;
    const now = history[history.length - 1]!;
    const before = history[history.length - 1 - this.window]!;
    return before - now > this.tolerance * before;
  },
};
