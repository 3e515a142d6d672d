// Why something was refused, and how each MQTT version says it (ADR 14). 3.1.1 has one code per
// refused SUBACK filter and a handful of CONNACK codes; 5.0 has a reason code for each case.
import type { ErrorCode } from '@tidings/protocol';
import type { MqttVersion } from './mqtt-codec.js';

export type Refusal =
  | 'topic-filter-invalid'
  | 'topic-name-invalid'
  | 'not-authorized'
  | 'bad-credentials'
  | 'client-id-invalid'
  | 'quota-exceeded'
  | 'qos-not-supported'
  | 'payload-invalid'
  | 'malformed'
  | 'unavailable';

const V5: Record<Refusal, number> = {
  'topic-filter-invalid': 0x8f,
  'topic-name-invalid': 0x90,
  'not-authorized': 0x87,
  'bad-credentials': 0x86,
  'client-id-invalid': 0x85,
  'quota-exceeded': 0x97,
  'qos-not-supported': 0x9b,
  'payload-invalid': 0x99,
  malformed: 0x81,
  unavailable: 0x88,
};

/** The error code a refusal is counted under (tidings_edge_bad_requests_total), as on the other transports. */
const ERROR_CODES: Record<Refusal, ErrorCode> = {
  'topic-filter-invalid': 'TIDINGS_PATTERN_INVALID',
  'topic-name-invalid': 'TIDINGS_CHANNEL_INVALID',
  'not-authorized': 'TIDINGS_UNAUTHORIZED',
  'bad-credentials': 'TIDINGS_UNAUTHORIZED',
  'client-id-invalid': 'TIDINGS_DEVICE_INVALID',
  'quota-exceeded': 'TIDINGS_TOO_MANY_CHANNELS',
  'qos-not-supported': 'TIDINGS_FRAME_INVALID',
  'payload-invalid': 'TIDINGS_BODY_INVALID',
  malformed: 'TIDINGS_FRAME_INVALID',
  unavailable: 'TIDINGS_UNAVAILABLE',
};

export function errorCodeOf(refusal: Refusal): ErrorCode {
  return ERROR_CODES[refusal];
}

/** 3.1.1 CONNACK return codes (1 is "unacceptable protocol version", answered by the codec's refusal). */
const V4_CONNACK: Partial<Record<Refusal, number>> = {
  'client-id-invalid': 0x02,
  unavailable: 0x03,
  'bad-credentials': 0x04,
  'not-authorized': 0x05,
  'topic-name-invalid': 0x05,
};

/** The SUBACK code of a refused filter: 3.1.1 knows only 0x80 (failure). */
export function subackCode(refusal: Refusal, version: MqttVersion): number {
  return version === 5 ? V5[refusal] : 0x80;
}

/** The CONNACK code of a refused CONNECT. */
export function connackCode(refusal: Refusal, version: MqttVersion): number {
  return version === 5 ? V5[refusal] : (V4_CONNACK[refusal] ?? 0x05);
}

/** A 5.0 reason code for PUBACK or DISCONNECT (3.1.1 has neither: it closes the connection). */
export function reasonCode(refusal: Refusal): number {
  return V5[refusal];
}
