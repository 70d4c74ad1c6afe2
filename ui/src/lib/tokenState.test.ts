import { describe, expect, it } from "vitest";
import { daysLeft, tokenState } from "./tokenState";

const DAY = 86_400;
const now = 1_767_225_600; // 2026-01-01
const token = (status: "active" | "expired" | "revoked", expires: number, revoked: number | null = null) =>
  ({ status, expires_at: now + expires, revoked_at: revoked === null ? null : now + revoked });

describe("tokenState", () => {
  it("says Active with the expiry for a token far from it", () => {
    expect(tokenState(token("active", 200 * DAY), now)).toEqual({ kind: "active", label: "Active", detail: "expires in 6 months" });
  });

  it("highlights a token close to expiry with the days left", () => {
    expect(tokenState(token("active", 3 * DAY + 60), now)).toMatchObject({ kind: "soon", label: "3 days left", detail: "until 2026-01-04" });
    expect(tokenState(token("active", DAY + 1), now).label).toBe("1 day left");
    expect(tokenState(token("active", 3600), now).label).toBe("Expires today");
    expect(tokenState(token("active", 30 * DAY), now).kind).toBe("active");
    expect(tokenState(token("active", 30 * DAY - 1), now).kind).toBe("soon");
  });

  it("names a rotated token in its grace period, and the ended states", () => {
    expect(tokenState(token("active", 100 * DAY, 2 * DAY), now)).toMatchObject({ kind: "replaced", detail: "retires in 2 days" });
    expect(tokenState(token("revoked", 100 * DAY, -3 * DAY), now)).toMatchObject({ kind: "revoked", detail: "3 days ago" });
    expect(tokenState(token("expired", -DAY), now)).toMatchObject({ kind: "expired", label: "Expired", detail: "1 day ago" });
  });
});

describe("daysLeft", () => {
  it("rounds down and never goes below zero", () => {
    expect(daysLeft(now + 2 * DAY - 1, now)).toBe(1);
    expect(daysLeft(now - DAY, now)).toBe(0);
  });
});
