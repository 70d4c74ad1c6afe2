import { describe, expect, it } from "vitest";
import { rowWindow } from "./virtual";

describe("rowWindow", () => {
  it("renders the rows in view plus a margin, and pads the rest", () => {
    const w = rowWindow(4400, 440, 44, 10_000, 10);
    expect(w).toEqual({ start: 90, end: 120, before: 90 * 44, after: (10_000 - 120) * 44 });
  });

  it("starts at the top and stops at the bottom", () => {
    expect(rowWindow(0, 440, 44, 10_000, 10).start).toBe(0);
    const bottom = rowWindow(10_000 * 44, 440, 44, 10_000, 10);
    expect(bottom.end).toBe(10_000);
    expect(bottom.after).toBe(0);
  });

  it("handles short and empty lists", () => {
    expect(rowWindow(0, 440, 44, 3, 10)).toEqual({ start: 0, end: 3, before: 0, after: 0 });
    expect(rowWindow(500, 440, 44, 0, 10)).toEqual({ start: 0, end: 0, before: 0, after: 0 });
  });
});
