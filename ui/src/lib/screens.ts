// The screens of a signed-in window, in the sidebar's order (Alt+1… follow it).
import type { IconName } from "./icons";

export type ScreenId = "overview" | "tokens" | "reminders" | "systems" | "leaks" | "accounts" | "audit" | "settings";

export interface ScreenEntry {
  id: ScreenId;
  label: string;
  icon: IconName;
  admin: boolean;
}

const ALL: ScreenEntry[] = [
  { id: "overview", label: "Overview", icon: "overview", admin: false },
  { id: "tokens", label: "My tokens", icon: "key", admin: false },
  { id: "reminders", label: "Reminders", icon: "bell", admin: false },
  { id: "systems", label: "Systems", icon: "systems", admin: false },
  { id: "leaks", label: "Leak check", icon: "leak", admin: false },
  { id: "accounts", label: "Accounts", icon: "accounts", admin: true },
  { id: "audit", label: "Audit log", icon: "audit", admin: true },
  { id: "settings", label: "Settings", icon: "settings", admin: false },
];

export function screensFor(isAdmin: boolean): ScreenEntry[] {
  return ALL.filter((s) => isAdmin || !s.admin);
}
