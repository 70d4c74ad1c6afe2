// What a reminder says beyond its token's name: what it is about (expiry, unused, still used
// after a rotation) as a badge, where to update the token, and which tokens expire with it.
import type { Look } from "./badges";
import type { ReminderView } from "./bindings/ReminderView";

export interface ReminderBadge {
  look: Look;
  label: string;
}

/** The badge: the expiry's words ("expires in 4 days"), "Unused", or "Still used after rotation". */
export function reminderBadge(r: Pick<ReminderView, "kind" | "when">): ReminderBadge {
  if (r.kind === "stale") return { look: { tone: "quiet", icon: "clock" }, label: "Unused" };
  if (r.kind === "still_used") return { look: { tone: "warn", icon: "alert" }, label: "Still used after rotation" };
  const expired = r.when.startsWith("expired");
  return { look: expired ? { tone: "quiet", icon: "expired" } : { tone: "warn", icon: "clock" }, label: r.when };
}

/** What the reminder asks the reader to do, in one sentence. */
export function reminderAdvice(r: Pick<ReminderView, "kind" | "usage_note">): string {
  const where = r.usage_note ? `: ${r.usage_note}` : "";
  if (r.kind === "stale") return "Nothing has used it for a long time: revoke it if nothing needs it.";
  if (r.kind === "still_used") return `Something still uses the old secret: update it where it is used${where}.`;
  return r.usage_note ? `Update it where it is used: ${r.usage_note}.` : "";
}

/** "expires with “a” and “b”": the owner's other tokens expiring within the same day, by name
 * when they are in the list too; "" when it expires alone. */
export function expiresWith(r: Pick<ReminderView, "expiring_together">, all: Pick<ReminderView, "token_id" | "token_name">[]): string {
  if (r.expiring_together.length === 0) return "";
  const names = r.expiring_together.map((id) => {
    const other = all.find((o) => o.token_id === id);
    return other ? `“${other.token_name}”` : id;
  });
  const listed = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`;
  return `expires with ${listed}: renew them in one sitting`;
}
