// Pure helpers the screens share: dates, relative times, and form checks that mirror core's
// rules for immediate feedback (core decides).

const DAY = 86_400;

/** "1 token", "2 tokens". */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function absoluteDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

export function absoluteTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 16) + " UTC";
}

/** "in 3 days", "2 hours ago", "just now": the larger unit that fits, rounded down. */
export function relative(seconds: number, now: number): string {
  const delta = seconds - now;
  const abs = Math.abs(delta);
  const units: [number, string][] = [
    [365 * DAY, "year"],
    [30 * DAY, "month"],
    [DAY, "day"],
    [3600, "hour"],
    [60, "minute"],
  ];
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      const text = `${n} ${name}${n === 1 ? "" : "s"}`;
      return delta >= 0 ? `in ${text}` : `${text} ago`;
    }
  }
  return "just now";
}

const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

/** Whether the text holds a control, bidi or zero-width character (core refuses them in names). */
export function hasInvisible(text: string): boolean {
  return FORBIDDEN.test(text);
}

/** Null when the token name is acceptable, otherwise what is wrong. */
export function tokenNameProblem(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed.length === 0) return "Give the token a name.";
  if ([...trimmed].length > 100) return "The name may have at most 100 characters.";
  if (FORBIDDEN.test(trimmed)) return "The name contains an invisible or control character.";
  return null;
}

/** Null when the password is acceptable, otherwise what is wrong. */
export function passwordProblem(password: string, again?: string): string | null {
  if ([...password].length < 15) return "Use at least 15 characters.";
  if (new TextEncoder().encode(password).length > 1024) return "Use at most 1024 bytes.";
  if (again !== undefined && again !== password) return "The two passwords differ.";
  return null;
}

/** The number of whole days from 1 to max, or what is wrong. */
export function expiryProblem(days: string, max: number): string | null {
  if (days.trim() === "") return null;
  const n = Number(days);
  if (!Number.isInteger(n) || n < 1 || n > max) return `Choose a whole number of days from 1 to ${max}.`;
  return null;
}

export interface MonthBucket {
  /** The calendar month (UTC), "2026-03". */
  month: string;
  count: number;
}

/**
 * How many of the active tokens expire in each calendar month (UTC), from this month to the same
 * month next year: thirteen months, so every token (at most 365 days) falls in one of them.
 */
export function expiryTimeline(expiries: number[], now: number): MonthBucket[] {
  const start = new Date(now * 1000);
  const first = start.getUTCFullYear() * 12 + start.getUTCMonth();
  const buckets: MonthBucket[] = Array.from({ length: 13 }, (_, i) => ({
    month: `${Math.floor((first + i) / 12)}-${String(((first + i) % 12) + 1).padStart(2, "0")}`,
    count: 0,
  }));
  for (const expiry of expiries) {
    if (expiry < now) continue;
    const date = new Date(expiry * 1000);
    const index = date.getUTCFullYear() * 12 + date.getUTCMonth() - first;
    if (index >= 0 && index < buckets.length) buckets[index].count += 1;
  }
  return buckets;
}

/** A schedule typed as "30, 14, 7" → [30, 14, 7], or null when it is not a list of whole days. */
export function parseSchedule(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter((p) => p !== "");
  const days = parts.map(Number);
  if (days.length === 0 || days.some((d) => !Number.isInteger(d) || d < 0 || d > 365)) return null;
  return [...new Set(days)].sort((a, b) => b - a);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-03" → "Mar 26" (short enough for a chart's axis). */
export function monthLabel(month: string): string {
  const [year, number] = month.split("-");
  return `${MONTHS[Number(number) - 1]} ${year.slice(2)}`;
}

/** "2026-03" → "Mar 2026", for the chart's table and its summary. */
export function monthName(month: string): string {
  const [year, number] = month.split("-");
  return `${MONTHS[Number(number) - 1]} ${year}`;
}
