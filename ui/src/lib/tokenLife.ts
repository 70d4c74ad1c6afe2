// What lists say about a token beyond its state: where it is used (the usage note), and for a
// rotated token in its grace period how the rotation is finishing: its last use, whether the
// replacement is in use, and the warning when something used the old secret after that.
import { hasInvisible, relative } from "./format";
import type { TokenView } from "./bindings/TokenView";

/** Core refuses longer notes; the field says so before sending. */
export const USAGE_NOTE_MAX = 200;

/** Null when the note may be sent (core decides the rest, such as a note that looks like a
 * token), otherwise what is wrong. An empty note means none. */
export function usageNoteProblem(note: string): string | null {
  if ([...note.trim()].length > USAGE_NOTE_MAX) return `The note may have at most ${USAGE_NOTE_MAX} characters.`;
  if (hasInvisible(note.trim())) return "The note contains an invisible or control character.";
  return null;
}

export interface Rotation {
  /** "old one used 2 hours ago", "old one never used". */
  lastUse: string;
  /** "replacement first used 3 hours ago", "replacement not used yet". */
  successor: string;
  /** "still used after rotation, 1 hour ago" when the old secret was used after the
   * replacement's first use: something still has to be updated. */
  stillUsed: string | null;
  /** The same in a few words, for a table cell: "still used after rotation", "replacement in
   * use", "replacement not used yet". */
  brief: string;
}

type RotationFields = Pick<
  TokenView,
  "retiring" | "last_used_at" | "successor_first_used_at" | "used_after_successor_at"
>;

/** How a retiring token's rotation is going; null for any other token. */
export function rotation(token: RotationFields, now: number): Rotation | null {
  if (!token.retiring) return null;
  return {
    lastUse: token.last_used_at === null ? "old one never used" : `old one used ${relative(token.last_used_at, now)}`,
    successor: token.successor_first_used_at === null
      ? "replacement not used yet"
      : `replacement first used ${relative(token.successor_first_used_at, now)}`,
    stillUsed: token.used_after_successor_at === null
      ? null
      : `still used after rotation, ${relative(token.used_after_successor_at, now)}`,
    brief: token.used_after_successor_at !== null
      ? "still used after rotation"
      : token.successor_first_used_at === null ? "replacement not used yet" : "replacement in use",
  };
}
