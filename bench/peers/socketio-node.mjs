// One Socket.IO 4 node for the bench, as a Socket.IO user would write it: the Redis streams adapter
// joins the nodes, and a small HTTP endpoint (POST /publish, the body as the event's data) emits
// to every connected socket of the cluster. Usage: node socketio-node.mjs REDIS_URL. Prints
// {"msg":"listening","port":N} once it accepts connections on 127.0.0.1.
import { createServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { createClient } from 'redis';
import { Server } from 'socket.io';

const redisUrl = process.argv[2];
if (!redisUrl) {
  console.error('usage: node socketio-node.mjs REDIS_URL');
  process.exit(2);
}
const redis = createClient({ url: redisUrl });
redis.on('error', (error) => console.error(`redis: ${error.message}`));
await redis.connect();

const http = createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/publish') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    io.emit('m', Buffer.concat(chunks).toString('utf8'));
    res.writeHead(204).end();
  });
});
const io = new Server(http, { adapter: createAdapter(redis), serveClient: false, transports: ['websocket'] });
http.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'listening', port: http.address().port })));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    io.close();
    void redis.quit().finally(() => process.exit(0));
  });
}
