// Which rows of a long list to put in the page: only those in view, plus a margin, so 10 000
// tokens cost what 30 do. Rows have one fixed height.

export interface RowWindow {
  start: number; // first rendered row
  end: number; // one past the last rendered row
  before: number; // pixels of the rows above `start`
  after: number; // pixels of the rows from `end` on
}

export function rowWindow(scrollTop: number, viewport: number, rowHeight: number, total: number, margin = 10): RowWindow {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const start = Math.max(0, Math.min(total, first - margin));
  const end = Math.min(total, first + Math.ceil(Math.max(0, viewport) / rowHeight) + margin);
  return { start, end: Math.max(start, end), before: start * rowHeight, after: (total - Math.max(start, end)) * rowHeight };
}
