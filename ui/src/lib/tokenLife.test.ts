import { describe, expect, it } from "vitest";
import { aToken } from "./fixtures";
import { rotation, usageNoteProblem } from "./tokenLife";

const HOUR = 3600;
const now = 1_767_225_600;

describe("usageNoteProblem", () => {
  it("accepts a note up to 200 characters, and none", () => {
    expect(usageNoteProblem("GitHub Actions secret DEPLOY_TOKEN in acme/web")).toBeNull();
    expect(usageNoteProblem("")).toBeNull();
    expect(usageNoteProblem("é".repeat(200))).toBeNull();
  });

  it("refuses a longer note and invisible characters", () => {
    expect(usageNoteProblem("x".repeat(201))).toContain("200");
    expect(usageNoteProblem("acme\u202e/web")).toContain("invisible");
  });
});

describe("rotation", () => {
  it("is nothing for a token that is not retiring", () => {
    expect(rotation(aToken(), now)).toBeNull();
  });

  it("says the old token's last use and that the replacement is not used yet", () => {
    const token = aToken({ retiring: true, last_used_at: now - 2 * HOUR });
    expect(rotation(token, now)).toEqual({
      lastUse: "old one used 2 hours ago", successor: "replacement not used yet", stillUsed: null,
      brief: "replacement not used yet",
    });
    const used = aToken({ retiring: true, successor_first_used_at: now - HOUR });
    expect(rotation(used, now)?.brief).toBe("replacement in use");
    expect(rotation(aToken({ retiring: true }), now)?.lastUse).toBe("old one never used");
  });

  it("warns when the old token was used after the replacement's first use", () => {
    const token = aToken({
      retiring: true, last_used_at: now - HOUR, successor_first_used_at: now - 3 * HOUR, used_after_successor_at: now - HOUR,
    });
    expect(rotation(token, now)).toEqual({
      lastUse: "old one used 1 hour ago",
      successor: "replacement first used 3 hours ago",
      stillUsed: "still used after rotation, 1 hour ago",
      brief: "still used after rotation",
    });
  });
});
