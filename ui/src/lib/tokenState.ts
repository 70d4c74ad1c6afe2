// What a token's status badge says: its state in words (with an icon beside it, so colour is never
// the only signal), and for active tokens how close expiry is.
import { absoluteDate, counted, relative } from "./format";
import type { TokenView } from "./bindings/TokenView";

const DAY = 86_400;

/** Active tokens expiring within this many days are highlighted with the days left. */
export const SOON_DAYS = 30;

export type TokenKind = "active" | "soon" | "replaced" | "expired" | "revoked";

export interface TokenState {
  kind: TokenKind;
  /** The badge's words: "Active", "3 days left", "Revoked"… */
  label: string;
  /** The line under it: when it expires, stops or stopped. */
  detail: string;
}

/** Whole days left until `expires`, rounded down, never below 0 (as the reminders count them). */
export function daysLeft(expires: number, now: number): number {
  return Math.max(0, Math.floor((expires - now) / DAY));
}

export function tokenState(token: Pick<TokenView, "status" | "expires_at" | "revoked_at">, now: number): TokenState {
  if (token.status === "revoked") {
    return { kind: "revoked", label: "Revoked", detail: token.revoked_at === null ? "" : relative(token.revoked_at, now) };
  }
  if (token.status === "expired") {
    return { kind: "expired", label: "Expired", detail: relative(token.expires_at, now) };
  }
  // Rotated with a grace period: still works until its revocation time comes.
  if (token.revoked_at !== null && token.revoked_at > now) {
    return { kind: "replaced", label: "Replaced", detail: `retires ${relative(token.revoked_at, now)}` };
  }
  const left = daysLeft(token.expires_at, now);
  if (left < SOON_DAYS) {
    return { kind: "soon", label: left === 0 ? "Expires today" : `${counted(left, "day")} left`, detail: `until ${absoluteDate(token.expires_at)}` };
  }
  return { kind: "active", label: "Active", detail: `expires ${relative(token.expires_at, now)}` };
}
