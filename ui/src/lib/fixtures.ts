// Test data for the UI's unit tests: a token as Rust lists it, with only what a test changes
// given. Imported by *.test.ts only, so never part of the bundle.
import type { TokenView } from "./bindings/TokenView";

export function aToken(over: Partial<TokenView> = {}): TokenView {
  return {
    id: "tok_0123456789abcdef", name: "deploy", hint: "lk_…abcd", owner: "root", status: "active",
    created_at: 0, expires_at: 1, last_used_at: null, revoked_at: null, revoked_by: null, systems: null,
    replaces: null, usage_note: null, created_by: null, stale: false, first_used_at: null, replaced_by: null,
    successor_first_used_at: null, used_after_successor_at: null, retiring: false, ...over,
  };
}
