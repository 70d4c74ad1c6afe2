// The Deactivate dialog's words: how recently each leaving token was used, and what the
// deactivation did to the tokens, by name.
import { counted } from "./format";
import type { DeactivatedView } from "./bindings/DeactivatedView";
import type { LeavingTokenView } from "./bindings/LeavingTokenView";
import type { LeavingTokensRequest } from "./bindings/LeavingTokensRequest";

/** "used in the last 7 days", "used in the last 30 days", "not used in the last 30 days". */
export function recentUse(t: Pick<LeavingTokenView, "used_last_7_days" | "used_last_30_days">): string {
  if (t.used_last_7_days) return "used in the last 7 days";
  if (t.used_last_30_days) return "used in the last 30 days";
  return "not used in the last 30 days";
}

/** "Deactivated bob. Handed over to svc-ci: “deploy”." — named from the preview's tokens. */
export function deactivationResult(
  username: string,
  choice: LeavingTokensRequest,
  done: DeactivatedView,
  tokens: Pick<LeavingTokenView, "token">[],
): string {
  const named = (ids: string[]) =>
    ids.map((id) => tokens.find((t) => t.token.id === id)?.token.name ?? id).map((n) => `“${n}”`).join(", ");
  const parts = [`Deactivated ${username}.`];
  if (done.handed_over.length > 0 && choice.kind === "hand_over") {
    parts.push(`Handed over to ${choice.to}: ${named(done.handed_over)}.`);
  }
  if (done.revoked.length > 0) parts.push(`Revoked: ${named(done.revoked)}.`);
  if (choice.kind === "keep" && tokens.length > 0) {
    parts.push(`${counted(tokens.length, "token")} kept; they stop working until ${username} is reactivated.`);
  }
  return parts.join(" ");
}
