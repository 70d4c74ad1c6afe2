// The app's events, named and typed by the one list in src-tauri/src/events.rs (the generated
// AppEvent union). Every listener in the UI goes through onEvent (and files dropped on the window
// through onFileDrop).
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
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

/** Files dragged over and dropped on the window (the webview's own drag-and-drop events: the
 * page never sees the files, Rust reads them by path). Returns the function that stops it. */
export function onFileDrop(handlers: {
  hovering: (over: boolean) => void;
  dropped: (paths: string[]) => void;
}): Promise<UnlistenFn> {
  return getCurrentWebview().onDragDropEvent(({ payload }) => {
    if (payload.type === "enter" || payload.type === "over") handlers.hovering(true);
    else {
      handlers.hovering(false);
      if (payload.type === "drop") handlers.dropped(payload.paths);
    }
  });
}
