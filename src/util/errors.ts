/** An error with a stable code, safe to show to a user (no stack trace needed to understand it). */
export class VerilensError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerilensError';
    this.code = code;
  }
}

export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}

const MAX_MESSAGE = 600;

/**
 * One readable line from a message that may carry a decoder's multi-line log (libvips repeats
 * "Bogus marker length" once per bad segment): lines joined with "; ", repeats dropped, capped.
 */
export function tidyMessage(message: string): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const raw of message.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || seen.has(line)) continue;
    seen.add(line);
    parts.push(line);
  }
  const text = parts.join('; ');
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

/** Turn anything thrown into `{code, message}` without leaking a stack trace. */
export function toErrorInfo(err: unknown, fallbackCode = 'internal'): { code: string; message: string } {
  if (err instanceof VerilensError) return { code: err.code, message: tidyMessage(err.message) };
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code.toLowerCase() : fallbackCode, message: tidyMessage(err.message) };
  }
  return { code: fallbackCode, message: tidyMessage(String(err)) };
}
