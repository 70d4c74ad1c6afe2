// Results said aloud and shown briefly ("Token revoked"): one polite live region for the whole
// window (`Announcer.svelte`), so every screen reports the same way.
let message = $state("");
let serial = $state(0);
let timer: ReturnType<typeof setTimeout> | undefined;

export const announcement = {
  get message() {
    return message;
  },
  /** Changes on every announcement, so the same words twice are still announced. */
  get serial() {
    return serial;
  },
};

export function announce(text: string, ms = 6000): void {
  message = text;
  serial += 1;
  clearTimeout(timer);
  timer = setTimeout(() => (message = ""), ms);
}
