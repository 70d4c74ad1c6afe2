// The keyboard shortcuts: one list that both the handler and the "Keyboard shortcuts" dialog use,
// so the dialog always shows what works. Single-key shortcuts never fire while typing, and can be
// turned off in Settings (WCAG 2.1.4).
import { isLockShortcut } from "./session";

export type ShortcutAction =
  | { kind: "help" }
  | { kind: "lock" }
  | { kind: "screen"; index: number }
  | { kind: "new-token" }
  | { kind: "search" };

type Key = Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "shiftKey">;

/** What a key press asks for, or null. `typing`: focus is in a text field. */
export function shortcutOf(event: Key, typing: boolean, singleKeys: boolean): ShortcutAction | null {
  if (isLockShortcut(event)) return { kind: "lock" };
  if (event.altKey && !event.ctrlKey && !event.metaKey && /^[1-9]$/.test(event.key)) {
    return { kind: "screen", index: Number(event.key) - 1 };
  }
  if (typing || !singleKeys || event.altKey || event.ctrlKey || event.metaKey) return null;
  if (event.key === "?") return { kind: "help" };
  if (event.key === "n") return { kind: "new-token" };
  if (event.key === "/") return { kind: "search" };
  return null;
}

export interface ShortcutLine {
  /** Alternatives, each a combination pressed together: [["Ctrl", "L"]], [["↑"], ["↓"]]. */
  keys: string[][];
  what: string;
}

/** The dialog's list, for the screens in the sidebar's order. */
export function shortcutLines(screens: string[]): ShortcutLine[] {
  return [
    { keys: [["?"]], what: "Show this list of shortcuts" },
    { keys: [["Ctrl", "L"]], what: "Lock Latchkey (sign out until the password is entered again)" },
    {
      keys: [["Alt", `1–${screens.length}`]],
      what: `Go to a screen, in the sidebar's order: ${screens.map((screen, i) => `${i + 1} ${screen}`).join(", ")}`,
    },
    { keys: [["↑"], ["↓"]], what: "Move between the screens in the sidebar" },
    { keys: [["N"]], what: "Create a token (on My tokens)" },
    { keys: [["/"]], what: "Search your tokens (on My tokens)" },
    { keys: [["Tab"], ["Shift", "Tab"]], what: "Move to the next or the previous control" },
    { keys: [["Enter"]], what: "Press the focused button" },
    { keys: [["Esc"]], what: "Close the dialog (cancels it)" },
  ];
}

/** True when keyboard input goes into a field: single-key shortcuts leave it alone. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "reset"].includes(target.type);
}

const SINGLE_KEYS = "latchkey-single-key-shortcuts";

export function singleKeysOn(): boolean {
  return localStorage.getItem(SINGLE_KEYS) !== "off";
}

export function setSingleKeys(on: boolean): void {
  localStorage.setItem(SINGLE_KEYS, on ? "on" : "off");
}
