import { describe, expect, it } from "vitest";
import { aToken } from "./fixtures";
import { deactivationResult, recentUse } from "./leaving";

const tokens = [{ token: aToken({ id: "tok_1", name: "deploy" }) }, { token: aToken({ id: "tok_2", name: "backup" }) }];

describe("recentUse", () => {
  it("says the most recent window the token was used in", () => {
    expect(recentUse({ used_last_7_days: true, used_last_30_days: true })).toBe("used in the last 7 days");
    expect(recentUse({ used_last_7_days: false, used_last_30_days: true })).toBe("used in the last 30 days");
    expect(recentUse({ used_last_7_days: false, used_last_30_days: false })).toBe("not used in the last 30 days");
  });
});

describe("deactivationResult", () => {
  it("names what was handed over, revoked or kept", () => {
    expect(deactivationResult("bob", { kind: "hand_over", to: "svc-ci" }, { handed_over: ["tok_1", "tok_2"], revoked: [] }, tokens))
      .toBe("Deactivated bob. Handed over to svc-ci: “deploy”, “backup”.");
    expect(deactivationResult("bob", { kind: "revoke" }, { handed_over: [], revoked: ["tok_2"] }, tokens))
      .toBe("Deactivated bob. Revoked: “backup”.");
    expect(deactivationResult("bob", { kind: "keep" }, { handed_over: [], revoked: [] }, tokens))
      .toBe("Deactivated bob. 2 tokens kept; they stop working until bob is reactivated.");
    expect(deactivationResult("bob", { kind: "keep" }, { handed_over: [], revoked: [] }, [])).toBe("Deactivated bob.");
  });
});
