// The app's events, named and typed by the one list in src-tauri/src/events.rs (the generated
// AppEvent union). Every listener in the UI goes through onEvent.
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AppEvent } from "./bindings/AppEvent";

export type AppEventName = AppEvent["event"];

/** The payload an event carries; null for an event without one. */
export type PayloadOf<E extends AppEventName> =
  Extract<AppEvent, { event: E }> extends { payload: infer P } ? P : null;

export function onEvent<E extends AppEventName>(
  event: E,
  handler: (payload: PayloadOf<E>) => void,
): Promise<UnlistenFn> {
  return listen<PayloadOf<E>>(event, (e) => handler(e.payload));
}
