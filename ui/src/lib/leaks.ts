// The Leak check's words, kept pure so they are tested: what each status is called, where a
// token was found, what it reaches, the one line that sums a check up, and what a revocation
// changes in the list.
import { counted } from "./format";
import type { LeakFindingView } from "./bindings/LeakFindingView";
import type { LeakStatusView } from "./bindings/LeakStatusView";
import type { ReachView } from "./bindings/ReachView";

/** The source Rust names text that was pasted (not read from a file). */
export const PASTED = "pasted text";

/** The statuses in the order a summary counts them: the alarming first. */
const ORDER: LeakStatusView[] = ["live", "unknown_here", "expired", "revoked", "not_ours"];

export const leakLabel: Record<LeakStatusView, string> = {
  live: "Live",
  revoked: "Revoked",
  expired: "Expired",
  not_ours: "Not ours",
  unknown_here: "Unknown here",
};

/** "2 tokens found: 2 live, 1 revoked"; "No token found" for none. */
export function leakSummary(findings: Pick<LeakFindingView, "status">[]): string {
  if (findings.length === 0) return "No token found";
  const parts = ORDER.map((status) => [status, findings.filter((f) => f.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${leakLabel[status].toLowerCase()}`);
  return `${counted(findings.length, "token")} found: ${parts.join(", ")}`;
}

/** Where a token was found, as the audit log records it: "pasted text:3:7", "app.log:12:1". */
export function foundIn(finding: Pick<LeakFindingView, "source" | "line" | "column">): string {
  return `${finding.source}:${finding.line}:${finding.column}`;
}

/** What a token reaches, in words; "" when the viewer may not see it (or it reaches nothing
 * because it no longer works, which its status says). */
export function reachText(reach: ReachView | null): string {
  if (!reach) return "";
  if (reach.all) return "every system";
  return reach.systems.length === 0 ? "nothing now" : reach.systems.join(", ");
}

/** The findings after `tokenId` was revoked: every place it was found says so, none offers to
 * revoke it again, and it reaches nothing. */
export function markRevoked(findings: LeakFindingView[], tokenId: string): LeakFindingView[] {
  return findings.map((f) =>
    f.token_id === tokenId ? { ...f, status: "revoked", may_revoke: false, reach: null } : f,
  );
}
