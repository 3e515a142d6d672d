// How a bench subscriber follows the bench channel over MQTT-over-WebSocket: subprotocol `mqtt`,
// one binary frame carrying CONNECT (3.1.1, clean, empty client id) and SUBSCRIBE at QoS 0, ready
// once CONNACK and SUBACK arrived. Events are PUBLISH packets whose payload is the event's data.
import type { Route } from '../loadgen/index.js';
import { mqttConnect, mqttSubscribe } from '../loadgen/mqtt-packets.js';
import { BENCH_CHANNEL } from './server-under-test.js';

const SUBSCRIBE = Buffer.concat([mqttConnect(''), mqttSubscribe(BENCH_CHANNEL, 0)]).toString('base64');

export function mqttRoute(path: string): Route {
  return { transport: 'ws', path, wsSubscribe: null, wsProtocol: 'mqtt', wsSubscribeBinary: SUBSCRIBE, wsReadyFrames: 2 };
}
