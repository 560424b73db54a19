/**
 * Text from outside the program (file names, lake paths, metadata, lines of content, messages that
 * quote them) is printed through `displayName`, so that it can neither recolour the terminal, move
 * the cursor nor split a line, and so that what is printed names exactly one string.
 *
 * Escaped: control characters (C0, DEL, C1), format characters (bidi overrides and isolates,
 * zero-width characters), line and paragraph separators, lone surrogates, noncharacters, and the
 * backslash itself. The escapes are JavaScript's: `\n`, `\r`, `\t`, `\\`, `\xHH`, `\uHHHH`,
 * `\u{HHHHH}`; since a backslash is always escaped, every printed form reads back to one string.
 */

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}\\]/gu;
const UNSAFE_KEEPING_TABS = /[\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}\\]|(?!\t)\p{Cc}/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\' };

export interface DisplayOptions {
  /** Leave tabs as they are: for lines of content, where a tab is layout rather than a name's letter. */
  keepTabs?: boolean;
}

export function displayName(text: string, options: DisplayOptions = {}): string {
  return text.replace(options.keepTabs ? UNSAFE_KEEPING_TABS : UNSAFE, escapeCharacter);
}

function escapeCharacter(character: string): string {
  const named = NAMED[character];
  if (named) return named;
  const code = character.codePointAt(0) as number;
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, '0')}`;
  return `\\u{${hex}}`;
}
