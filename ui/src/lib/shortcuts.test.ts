import { describe, expect, it } from "vitest";
import { shortcutLines, shortcutOf } from "./shortcuts";

const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
  ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });

describe("shortcutOf", () => {
  it("knows every shortcut the dialog lists", () => {
    expect(shortcutOf(key("?", { shiftKey: true }), false, true)).toEqual({ kind: "help" });
    expect(shortcutOf(key("l", { ctrlKey: true }), false, true)).toEqual({ kind: "lock" });
    expect(shortcutOf(key("3", { altKey: true }), false, true)).toEqual({ kind: "screen", index: 2 });
    expect(shortcutOf(key("n"), false, true)).toEqual({ kind: "new-token" });
    expect(shortcutOf(key("/"), false, true)).toEqual({ kind: "search" });
  });

  it("leaves typing alone, and single keys when they are turned off", () => {
    expect(shortcutOf(key("n"), true, true)).toBeNull();
    expect(shortcutOf(key("?"), false, false)).toBeNull();
    expect(shortcutOf(key("n", { ctrlKey: true }), false, true)).toBeNull();
    expect(shortcutOf(key("l", { ctrlKey: true }), true, false)).toEqual({ kind: "lock" });
    expect(shortcutOf(key("2", { altKey: true }), true, false)).toEqual({ kind: "screen", index: 1 });
    expect(shortcutOf(key("0", { altKey: true }), false, true)).toBeNull();
  });
});

describe("shortcutLines", () => {
  it("numbers the screens in the sidebar's order", () => {
    const lines = shortcutLines(["Overview", "My tokens"]);
    expect(lines).toContainEqual({ keys: [["Alt", "1–2"]], what: "Go to a screen, in the sidebar's order: 1 Overview, 2 My tokens" });
    expect(lines.map((l) => l.keys.map((k) => k.join("+")).join(" "))).toEqual(expect.arrayContaining(["?", "Ctrl+L", "N", "Esc", "↑ ↓"]));
  });
});
