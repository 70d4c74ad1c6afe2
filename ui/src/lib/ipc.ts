// The one place the UI talks to Rust. Every failure becomes a CommandError {code, message};
// screens show `message`.
import { invoke } from "@tauri-apps/api/core";
import type { CommandError } from "./bindings/CommandError";
import { confirmAgain, endsSession, needsPassword, sessionEnded } from "./session";

export function toCommandError(error: unknown): CommandError {
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    return { code: String(error.code), message: String(error.message) };
  }
  if (error instanceof Error) return { code: "internal", message: error.message };
  return { code: "internal", message: typeof error === "string" ? error : "something went wrong" };
}

// A sensitive action refused for want of a fresh password asks for it (the app's dialog) and is
// tried again; a refusal that means the session ended takes the window to the sign-in screen.
export async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (raw) {
    const error = toCommandError(raw);
    if (needsPassword(error) && (await confirmAgain(error.message))) {
      return call<T>(command, args);
    }
    if (endsSession(command, error)) sessionEnded(error);
    throw error;
  }
}

export function messageOf(error: unknown): string {
  return toCommandError(error).message;
}
