/**
 * Text from evidence file names, case files or report bundles, made safe to print on a terminal:
 * control characters (ANSI escapes, carriage returns, newlines) and bidirectional overrides are
 * shown as visible \u{..} escapes, so a hostile name cannot redraw or reorder a VALID/INVALID line.
 */
const UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`);
}
