import { describe, expect, it } from "vitest";
import { nowSeconds, syncClock } from "./clock";

describe("the store's now", () => {
  it("follows the store when its clock is ahead of this machine's", () => {
    const machine = Math.floor(Date.now() / 1000);
    syncClock(machine + 91 * 86400);
    expect(nowSeconds() - machine).toBeGreaterThanOrEqual(91 * 86400);
    expect(nowSeconds() - machine).toBeLessThan(91 * 86400 + 5);
    syncClock(Math.floor(Date.now() / 1000));
  });
});
