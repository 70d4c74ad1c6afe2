// "Now" as the store counts it: the later of the clock and the latest time a write saw (and, in
// tests, a moved test clock). Relative times ("used 3 days ago") count from it, as core's rules
// do, so the window and a verification never disagree about what "expired" or "stale" means.
let offsetSeconds = 0;

/** Takes the store's "now" from a session answer. */
export function syncClock(storeNow: number): void {
  offsetSeconds = storeNow - Math.floor(Date.now() / 1000);
}

/** The store's "now", in Unix seconds. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}
