import { describe, expect, it } from "vitest";
import { OneTimeSecret } from "./reveal";
import { aToken } from "./fixtures";
import type { IssuedTokenView } from "./bindings/IssuedTokenView";

const issued = (): IssuedTokenView => ({ secret: "lk_" + "a".repeat(49), token: aToken({ name: "ci", hint: "lk_…aaaa" }) });

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
