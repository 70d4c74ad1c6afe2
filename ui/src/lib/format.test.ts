import { describe, expect, it } from "vitest";
import { absoluteDate, counted, expiryProblem, passwordProblem, relative, tokenNameProblem } from "./format";

const DAY = 86_400;

describe("relative", () => {
  it("names the largest unit, rounded down, in both directions", () => {
    expect(relative(1000 + 3 * DAY + 5, 1000)).toBe("in 3 days");
    expect(relative(1000 - 2 * 3600, 1000)).toBe("2 hours ago");
    expect(relative(1000 + 364 * DAY, 1000)).toBe("in 12 months");
    expect(relative(1000 + 365 * DAY, 1000)).toBe("in 1 year");
    expect(relative(1000 + 30, 1000)).toBe("just now");
  });
});

describe("counted", () => {
  it("puts a plural s on every count but one", () => {
    expect(counted(1, "token")).toBe("1 token");
    expect(counted(0, "token")).toBe("0 tokens");
    expect(counted(2, "account")).toBe("2 accounts");
  });
});

describe("absoluteDate", () => {
  it("is the UTC date", () => {
    expect(absoluteDate(1_767_225_600)).toBe("2026-01-01");
  });
});

describe("tokenNameProblem", () => {
  it("accepts free text and refuses empty, long, control and bidi names", () => {
    expect(tokenNameProblem("Robert'); DROP TABLE tokens;-- 🚀")).toBeNull();
    expect(tokenNameProblem("   ")).toMatch(/name/);
    expect(tokenNameProblem("x".repeat(101))).toMatch(/100/);
    expect(tokenNameProblem("x".repeat(100))).toBeNull();
    expect(tokenNameProblem("a\u202eb")).toMatch(/invisible/);
    expect(tokenNameProblem("a\nb")).toMatch(/control/);
  });
});

describe("passwordProblem", () => {
  it("needs 15 characters and a matching repeat", () => {
    expect(passwordProblem("fourteen chars")).toMatch(/15/);
    expect(passwordProblem("fifteen chars!!")).toBeNull();
    expect(passwordProblem("fifteen chars!!", "fifteen chars!?")).toMatch(/differ/);
  });
});

describe("expiryProblem", () => {
  it("allows empty (the default) or 1..max whole days", () => {
    expect(expiryProblem("", 365)).toBeNull();
    expect(expiryProblem("30", 365)).toBeNull();
    expect(expiryProblem("0", 365)).toMatch(/1 to 365/);
    expect(expiryProblem("366", 365)).toMatch(/1 to 365/);
    expect(expiryProblem("1.5", 365)).toMatch(/whole/);
  });
});

import { expiryTimeline, parseSchedule } from "./format";

describe("expiryTimeline", () => {
  it("counts expiries per calendar month from this one to the same month next year", () => {
    const now = Date.UTC(2026, 0, 15) / 1000; // 2026-01-15
    const buckets = expiryTimeline(
      [now + 1, now + 20 * DAY, now + 40 * DAY, now + 200 * DAY, now + 365 * DAY, now - DAY, now + 400 * DAY],
      now,
    );
    expect(buckets).toHaveLength(13);
    expect(buckets.map((b) => b.count)).toEqual([1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    expect(buckets[0].month).toBe("2026-01");
    expect(buckets[12].month).toBe("2027-01");
    expect(new Set(buckets.map((b) => b.month)).size).toBe(13);
  });
});

describe("parseSchedule", () => {
  it("reads days largest first and refuses anything else", () => {
    expect(parseSchedule("1, 30 7,7 0")).toEqual([30, 7, 1, 0]);
    expect(parseSchedule("")).toBeNull();
    expect(parseSchedule("30, soon")).toBeNull();
    expect(parseSchedule("400")).toBeNull();
  });
});

import { monthLabel, monthName } from "./format";

describe("monthLabel", () => {
  it("names the month briefly for the chart and in full for its table", () => {
    expect(monthLabel("2026-03")).toBe("Mar 26");
    expect(monthName("2026-12")).toBe("Dec 2026");
  });
});
