import { Redis } from 'ioredis';

/**
 * Sends one command on a short-lived connection that never retries: for probing servers that
 * may not be up yet (PING, CLUSTER INFO). Rejects when the server cannot be reached.
 */
export async function redisCommand(port: number, command: string, args: readonly string[] = [], host = '127.0.0.1'): Promise<unknown> {
  const client = new Redis({
    host,
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let connectionError: unknown;
  client.on('error', (error: unknown) => {
    connectionError = error;
  });
  try {
    await client.connect();
    return await client.call(command, ...args);
  } catch (error) {
    throw connectionError instanceof Error && connectionError !== error ? new Error(`${String(error)} (${connectionError.message})`, { cause: error }) : error;
  } finally {
    client.disconnect();
  }
}
