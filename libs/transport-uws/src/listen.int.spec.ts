import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadUws } from './load-uws.js';
import { ListenError, type Listening, type PortSharing, listen } from './listen.js';

const uws = loadUws(false);
const HOST = '127.0.0.1';
const open: Listening[] = [];

afterEach(() => {
  for (const listening of open.splice(0)) listening.close();
});

/** A port nobody listens on now: sharing needs a real port number, since uWS never shares port 0. */
function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port assigned'))));
    });
  });
}

async function listenOn(port: number, sharing: PortSharing): Promise<Listening> {
  const listening = await listen(uws, uws.App(), HOST, port, sharing);
  open.push(listening);
  return listening;
}

describe('listen', () => {
  it('reports the port the kernel picked for port 0', async () => {
    expect((await listenOn(0, 'exclusive')).port).toBeGreaterThan(0);
  });

  it('refuses a second listener on a port held exclusively, whatever it asks for', async () => {
    const { port } = await listenOn(await unusedPort(), 'exclusive');
    await expect(listenOn(port, 'exclusive')).rejects.toThrow(ListenError);
    await expect(listenOn(port, 'shared')).rejects.toThrow(/next to the other processes of this edge/);
  });

  it('lets shared listeners share a port, and keeps an exclusive one out of it', async () => {
    const port = await unusedPort();
    await listenOn(port, 'shared');
    expect((await listenOn(port, 'shared')).port).toBe(port);
    await expect(listenOn(port, 'exclusive')).rejects.toThrow(/the port is in use .*--processes N/);
  });

  it('frees the port when closed', async () => {
    const first = await listenOn(await unusedPort(), 'exclusive');
    first.close();
    expect((await listenOn(first.port, 'exclusive')).port).toBe(first.port);
  });
});
