/**
 * Polls `check` until it returns true. `limitMs` only guards against hangs — it asserts
 * nothing about speed — and the error names what was awaited.
 */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, limitMs = 20_000, everyMs = 25): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
