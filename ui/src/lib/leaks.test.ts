import { describe, expect, it } from "vitest";
import { foundIn, leakSummary, markRevoked, reachText } from "./leaks";
import { screensFor } from "./screens";
import type { LeakFindingView } from "./bindings/LeakFindingView";

const finding = (over: Partial<LeakFindingView>): LeakFindingView => ({
  source: "pasted text", line: 3, column: 7, hint: "lk_…abcd", status: "live", owner: "bob", owner_active: true,
  token_id: "tok_1", name: "deploy", reach: { all: false, systems: ["web"] }, last_used_at: null, expires_at: 100,
  may_revoke: true, usage_note: null, ...over,
});

describe("leakSummary", () => {
  it("counts the tokens found, the alarming statuses first", () => {
    expect(leakSummary([finding({}), finding({})])).toBe("2 tokens found: 2 live");
    expect(leakSummary([finding({ status: "revoked" }), finding({}), finding({ status: "not_ours" })]))
      .toBe("3 tokens found: 1 live, 1 revoked, 1 not ours");
    expect(leakSummary([finding({ status: "expired" })])).toBe("1 token found: 1 expired");
    expect(leakSummary([])).toBe("No token found");
  });
});

describe("foundIn", () => {
  it("names the source, line and column as the audit log records them", () => {
    expect(foundIn(finding({}))).toBe("pasted text:3:7");
    expect(foundIn(finding({ source: "/var/log/app.log", line: 12, column: 1 }))).toBe("/var/log/app.log:12:1");
  });
});

describe("reachText", () => {
  it("says every system, the list, or nothing now; nothing when not shown", () => {
    expect(reachText({ all: true, systems: [] })).toBe("every system");
    expect(reachText({ all: false, systems: ["api", "web"] })).toBe("api, web");
    expect(reachText({ all: false, systems: [] })).toBe("nothing now");
    expect(reachText(null)).toBe("");
  });
});

describe("markRevoked", () => {
  it("marks every place the token was found, and only that token", () => {
    const before = [finding({}), finding({ token_id: "tok_2" }), finding({ line: 9 })];
    const after = markRevoked(before, "tok_1");
    expect(after.map((f) => f.status)).toEqual(["revoked", "live", "revoked"]);
    expect(after.map((f) => f.may_revoke)).toEqual([false, true, false]);
    expect(after[0].reach).toBeNull();
    expect(before[0].status).toBe("live");
  });
});

describe("the Leak check screen", () => {
  it("is there for members and administrators, within the Alt+1–9 shortcuts", () => {
    expect(screensFor(false).map((s) => s.id)).toContain("leaks");
    expect(screensFor(true).map((s) => s.id)).toContain("leaks");
    expect(screensFor(true).length).toBeLessThanOrEqual(9);
  });
});
