// The window's side of the session rules: what a refusal means for the screen, the password
// asked again before a sensitive action, and how often input is reported to Rust. No Tauri
// import here, so `ipc.ts` can use it and vitest can test it.
import type { CommandError } from "./bindings/CommandError";

/// Refusals after which nobody is signed in any more: the window shows the sign-in screen.
/// `locked` from sign-in or from entering the password again is the backoff, not a lock.
export function endsSession(command: string, error: CommandError): boolean {
  if (command === "sign_in" || command === "confirm_password" || command === "setup") return false;
  return error.code === "locked" || error.code === "session_ended" || error.code === "not_signed_in";
}

export function needsPassword(error: CommandError): boolean {
  return error.code === "reauth_required";
}

type Reauth = (reason: string) => Promise<boolean>;
type Ended = (error: CommandError) => void;

let askPassword: Reauth | null = null;
let onEnded: Ended | null = null;

/// The app registers the password dialog (resolves true once the password was confirmed) and
/// what happens when the session ended.
export function setSessionHandlers(reauth: Reauth | null, ended: Ended | null) {
  askPassword = reauth;
  onEnded = ended;
}

export async function confirmAgain(reason: string): Promise<boolean> {
  return askPassword ? askPassword(reason) : false;
}

export function sessionEnded(error: CommandError) {
  onEnded?.(error);
}

/// Calls `report` at most once per `interval` ms however often `input` is called.
export function throttled(report: () => void, interval: number, now: () => number = Date.now) {
  let last = -Infinity;
  return {
    input() {
      const t = now();
      if (t - last >= interval) {
        last = t;
        report();
      }
    },
    reset() {
      last = -Infinity;
    },
  };
}

/// Ctrl+L (⌘L on macOS): Lock.
export function isLockShortcut(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "l";
}
