import { describe, expect, it } from "vitest";
import { OneTimeSecret } from "./reveal";
import type { IssuedTokenView } from "./bindings/IssuedTokenView";

const issued = (): IssuedTokenView => ({
  secret: "lk_" + "a".repeat(49),
  token: {
    id: "tok_0123456789abcdef", name: "ci", hint: "lk_…aaaa", owner: "root", status: "active",
    created_at: 0, expires_at: 1, last_used_at: null, revoked_at: null, revoked_by: null, systems: null, replaces: null,
  },
});

describe("OneTimeSecret", () => {
  it("holds the secret until discarded, and clears it from the response at once", () => {
    const response = issued();
    const secret = new OneTimeSecret(response);
    expect(secret.value).toBe("lk_" + "a".repeat(49));
    expect(response.secret).toBe("");
    expect(JSON.stringify(response)).not.toContain("aaaaaaaaaaaaaaaa");
    secret.discard();
    expect(secret.value).toBeNull();
  });
});
