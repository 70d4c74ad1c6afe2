// The one place the UI talks to Rust. Every failure becomes a CommandError {code, message};
// screens show `message`.
import { invoke } from "@tauri-apps/api/core";
import type { CommandError } from "./bindings/CommandError";

export function toCommandError(error: unknown): CommandError {
  if (error && typeof error === "object" && "code" in error && "message" in error) {
    return { code: String(error.code), message: String(error.message) };
  }
  if (error instanceof Error) return { code: "internal", message: error.message };
  return { code: "internal", message: typeof error === "string" ? error : "something went wrong" };
}

export async function call<T>(command: string, args: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toCommandError(error);
  }
}

export function messageOf(error: unknown): string {
  return toCommandError(error).message;
}
