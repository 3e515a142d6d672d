import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OutputFlusher, type WriteOutcome } from './output-flusher.js';
import { TcpOutput } from './tcp-output.js';

let server: Server | undefined;
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  server?.close();
});

/** A connected pair on loopback: the server's side (written through a TcpOutput) and the client's. */
async function pair(): Promise<{ served: Socket; client: Socket }> {
  const accepted = new Promise<Socket>((resolve) => (server = createServer(resolve)));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server!.address() as { port: number };
  const client = connect(address.port, '127.0.0.1');
  const served = await accepted;
  sockets.push(client, served);
  return { served, client };
}

describe('TcpOutput', () => {
  it('writes what was queued in one turn, in order, and ends with FIN after it', async () => {
    const { served, client } = await pair();
    const output = new TcpOutput(served, 1024 * 1024, new OutputFlusher());
    const received: Buffer[] = [];
    client.on('data', (chunk: Buffer) => received.push(chunk));
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    expect(output.send('one ')).toBe('sent');
    expect(output.send(Buffer.from('two '))).toBe('sent');
    output.end(1000, 'bye');
    expect(output.send('late')).toBe('dropped');
    await ended;
    expect(Buffer.concat(received).toString()).toBe('one two ');
  });

  it('refuses a chunk past its cap while the peer does not read, counting what the socket holds back', async () => {
    const { served, client } = await pair();
    client.pause();
    const cap = 256 * 1024;
    const output = new TcpOutput(served, cap, new OutputFlusher());
    const chunk = 'x'.repeat(8 * 1024);
    let outcome: WriteOutcome = 'sent';
    for (let i = 0; i < 10_000 && outcome !== 'dropped'; i++) {
      outcome = output.send(chunk);
      await new Promise((resolve) => setImmediate(resolve)); // the flush of each turn meets the socket
    }
    expect(outcome).toBe('dropped');
    expect(output.pendingBytes).toBeLessThanOrEqual(cap);
    expect(output.congested).toBe(true);
    output.end(4001, 'slow consumer', true);
    expect(served.destroyed).toBe(true);
  });
});
