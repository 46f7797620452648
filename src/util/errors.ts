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

/** Turn anything thrown into `{code, message}` without leaking a stack trace. */
export function toErrorInfo(err: unknown, fallbackCode = 'internal'): { code: string; message: string } {
  if (err instanceof VerilensError) return { code: err.code, message: err.message };
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code.toLowerCase() : fallbackCode, message: err.message };
  }
  return { code: fallbackCode, message: String(err) };
}
