import { describe, expect, it } from "vitest";
import { expiresWith, reminderAdvice, reminderBadge } from "./reminderWords";

describe("reminderBadge", () => {
  it("names each kind in words", () => {
    expect(reminderBadge({ kind: "expiry", when: "expires in 4 days" })).toMatchObject({ label: "expires in 4 days", look: { tone: "warn" } });
    expect(reminderBadge({ kind: "expiry", when: "expired today" }).look.tone).toBe("quiet");
    expect(reminderBadge({ kind: "stale", when: "" }).label).toBe("Unused");
    expect(reminderBadge({ kind: "still_used", when: "" }).label).toBe("Still used after rotation");
  });
});

describe("reminderAdvice", () => {
  it("says where to update the token when its use is noted", () => {
    expect(reminderAdvice({ kind: "expiry", usage_note: "DEPLOY_TOKEN in acme/web" })).toBe("Update it where it is used: DEPLOY_TOKEN in acme/web.");
    expect(reminderAdvice({ kind: "expiry", usage_note: null })).toBe("");
    expect(reminderAdvice({ kind: "still_used", usage_note: "ci" })).toBe("Something still uses the old secret: update it where it is used: ci.");
    expect(reminderAdvice({ kind: "stale", usage_note: null })).toContain("revoke it");
  });
});

describe("expiresWith", () => {
  const all = [{ token_id: "tok_a", token_name: "alpha" }, { token_id: "tok_b", token_name: "beta" }];
  it("names the tokens expiring the same day", () => {
    expect(expiresWith({ expiring_together: [] }, all)).toBe("");
    expect(expiresWith({ expiring_together: ["tok_b"] }, all)).toBe("expires with “beta”: renew them in one sitting");
    expect(expiresWith({ expiring_together: ["tok_a", "tok_b", "tok_c"] }, all)).toBe(
      "expires with “alpha”, “beta” and tok_c: renew them in one sitting",
    );
  });
});
