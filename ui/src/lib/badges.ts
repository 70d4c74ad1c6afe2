// How each state looks: a tone (colour) and an icon, always beside the state's words.
import type { IconName } from "./icons";
import type { TokenKind } from "./tokenState";

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
