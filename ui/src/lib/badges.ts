// How each state looks: a tone (colour) and an icon, always beside the state's words.
import type { IconName } from "./icons";
import type { TokenKind } from "./tokenState";
import type { LeakStatusView } from "./bindings/LeakStatusView";

export type Tone = "ok" | "warn" | "info" | "danger" | "quiet";

export interface Look {
  tone: Tone;
  icon: IconName;
}

export const tokenLook: Record<TokenKind, Look> = {
  active: { tone: "ok", icon: "active" },
  soon: { tone: "warn", icon: "clock" },
  replaced: { tone: "info", icon: "rotate" },
  expired: { tone: "quiet", icon: "expired" },
  revoked: { tone: "danger", icon: "revoke" },
};

/** An active token nothing has used for longer than the stale setting: it may not be needed. */
export const staleLook: Look = { tone: "warn", icon: "expired" };

/** A service account: a pipeline or a service, never a person signing in. */
export const serviceLook: Look = { tone: "info", icon: "service" };

/** A token found by the leak check: a live one is the alarm; one that no longer works is not. */
export const leakLook: Record<LeakStatusView, Look> = {
  live: { tone: "danger", icon: "alert" },
  revoked: { tone: "quiet", icon: "revoke" },
  expired: { tone: "quiet", icon: "expired" },
  not_ours: { tone: "info", icon: "info" },
  unknown_here: { tone: "warn", icon: "info" },
};
