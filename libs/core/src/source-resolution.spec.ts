import * as protocol from '@tidings/protocol';
import { expect, it } from 'vitest';

// vitest.shared.ts: the "@tidings/source" export condition points tests at the libs' TypeScript.
it('imports the workspace libs from their source, so a change in one needs no build before its dependents\' tests see it', async () => {
  const source = (await import(new URL('../../protocol/src/index.ts', import.meta.url).pathname)) as typeof protocol;
  // One module, not a built copy beside it: the same function object either way.
  expect(protocol.compareStreamIds).toBe(source.compareStreamIds);
});
