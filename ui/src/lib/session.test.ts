import { afterEach, describe, expect, it, vi } from "vitest";

const invoke = vi.fn();
vi.mock("@tauri-apps/api/core", () => ({ invoke: (...args: unknown[]) => invoke(...args) }));

import { call } from "./ipc";
import { endsSession, isLockShortcut, setSessionHandlers, throttled } from "./session";

afterEach(() => {
  invoke.mockReset();
  setSessionHandlers(null, null);
});

describe("endsSession", () => {
  it("takes locks and ended sessions to the sign-in screen, but not the sign-in backoff", () => {
    expect(endsSession("list_tokens", { code: "locked", message: "" })).toBe(true);
    expect(endsSession("list_tokens", { code: "session_ended", message: "" })).toBe(true);
    expect(endsSession("copy_secret", { code: "not_signed_in", message: "" })).toBe(true);
    expect(endsSession("sign_in", { code: "locked", message: "" })).toBe(false);
    expect(endsSession("confirm_password", { code: "locked", message: "" })).toBe(false);
    expect(endsSession("list_tokens", { code: "forbidden", message: "" })).toBe(false);
  });
});

describe("throttled", () => {
  it("reports at most once per interval", () => {
    let t = 0;
    const report = vi.fn();
    const activity = throttled(report, 20_000, () => t);
    activity.input();
    activity.input();
    t = 19_999;
    activity.input();
    expect(report).toHaveBeenCalledTimes(1);
    t = 20_000;
    activity.input();
    expect(report).toHaveBeenCalledTimes(2);
    activity.reset();
    activity.input();
    expect(report).toHaveBeenCalledTimes(3);
  });
});

describe("isLockShortcut", () => {
  const key = (k: string, mods: Partial<KeyboardEvent> = {}) =>
    ({ key: k, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...mods });
  it("is Ctrl+L or Cmd+L and nothing else", () => {
    expect(isLockShortcut(key("l", { ctrlKey: true }))).toBe(true);
    expect(isLockShortcut(key("L", { metaKey: true }))).toBe(true);
    expect(isLockShortcut(key("l"))).toBe(false);
    expect(isLockShortcut(key("l", { ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isLockShortcut(key("k", { ctrlKey: true }))).toBe(false);
  });
});

describe("call", () => {
  it("asks for the password on reauth_required and retries once confirmed", async () => {
    invoke.mockRejectedValueOnce({ code: "reauth_required", message: "again" }).mockResolvedValueOnce("done");
    const ask = vi.fn().mockResolvedValue(true);
    setSessionHandlers(ask, null);
    await expect(call("backup_store", { passphrase: "p" })).resolves.toBe("done");
    expect(ask).toHaveBeenCalledTimes(1);
    expect(invoke).toHaveBeenCalledTimes(2);
    expect(invoke).toHaveBeenLastCalledWith("backup_store", { passphrase: "p" });
  });

  it("gives the refusal back when the password is not confirmed", async () => {
    invoke.mockRejectedValue({ code: "reauth_required", message: "again" });
    setSessionHandlers(vi.fn().mockResolvedValue(false), null);
    await expect(call("update_settings", {})).rejects.toEqual({ code: "reauth_required", message: "again" });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it("tells the app when a refusal means the session ended", async () => {
    invoke.mockRejectedValue({ code: "locked", message: "Latchkey locked" });
    const ended = vi.fn();
    setSessionHandlers(null, ended);
    await expect(call("list_tokens", {})).rejects.toMatchObject({ code: "locked" });
    expect(ended).toHaveBeenCalledWith({ code: "locked", message: "Latchkey locked" });
    ended.mockClear();
    await expect(call("sign_in", {})).rejects.toMatchObject({ code: "locked" });
    expect(ended).not.toHaveBeenCalled();
  });
});
