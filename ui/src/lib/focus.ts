// Where keyboard focus goes when the element that had it goes away (a closed dialog, a row that
// changed): the first of the candidates still in the page, else the screen's heading.

export function focusFallback(...candidates: (HTMLElement | null | undefined)[]): void {
  const target = candidates.find((c) => c?.isConnected) ?? document.querySelector<HTMLElement>("main h1");
  target?.focus();
}

/** After a change that may have removed the focused element: puts focus somewhere sensible. */
export function refocusIfLost(...candidates: (HTMLElement | null | undefined)[]): void {
  const active = document.activeElement;
  if (!active || active === document.body || !active.isConnected) focusFallback(...candidates);
}

/** `{@attach focusNow}`: focuses the element once it is in the page. */
export function focusNow(node: HTMLElement): void {
  queueMicrotask(() => node.focus());
}
