/**
 * The Peer service for grpc-js: frames are encoded by us on the way out and handed over as raw
 * bytes on the way in, in both directions. Each side decodes (decodeFrame) only what it reads:
 * the accepting side after the size and budget checks of peer-server.ts, the dialling side only
 * the peer's Hello (peer-link.ts), so a frame we refuse or ignore costs no decode. A frame that
 * does not decode is dropped and counted; the stream survives.
 */
import * as grpc from '@grpc/grpc-js';
import { encodeFrame, type Frame } from '../../wire/peer-frame.js';
import { MAX_BUFFERED_FRAME_BYTES, MAX_FRAME_BYTES, DEFAULT_LIMITS } from './limits.js';

const serialize = (f: Frame): Buffer => Buffer.from(encodeFrame(f));
const raw = (b: Buffer): Buffer => b;

export const peerService = {
  exchange: {
    path: '/vipd.v1.Peer/Exchange',
    requestStream: true,
    responseStream: true,
    requestSerialize: serialize,
    requestDeserialize: raw,
    responseSerialize: serialize,
    responseDeserialize: raw,
    originalName: 'exchange',
  },
} satisfies grpc.ServiceDefinition;

export interface PeerClient extends grpc.Client {
  exchange(options?: grpc.CallOptions): grpc.ClientDuplexStream<Frame, Buffer>;
}

export const PeerClientCtor = grpc.makeGenericClientConstructor(peerService, 'Peer') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => PeerClient;

/**
 * HTTP/2 keepalive: a peer that is frozen (SIGSTOP) or cut off keeps its TCP connection open;
 * pings notice within keepalive time + timeout. The server allows pings this frequent.
 */
export const channelOptions: grpc.ChannelOptions = {
  'grpc.keepalive_time_ms': 1000,
  'grpc.keepalive_timeout_ms': 1000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.max_receive_message_length': MAX_FRAME_BYTES,
  // Our own frames must fit the peer's limit; one that does not fails here, named, not there.
  'grpc.max_send_message_length': MAX_FRAME_BYTES,
  // Peers are dialed by IP; TLS SNI must be a name (RFC 6066). Identity is checked by
  // certificate SAN (credentials.ts), not by this name.
  'grpc.ssl_target_name_override': 'vipd-peer',
};

export const serverOptions: grpc.ServerOptions = {
  'grpc.keepalive_time_ms': 1000,
  'grpc.keepalive_timeout_ms': 1000,
  'grpc.keepalive_permit_without_calls': 1,
  'grpc.http2.min_ping_interval_without_data_ms': 500,
  'grpc.max_receive_message_length': MAX_BUFFERED_FRAME_BYTES,
  'grpc.max_send_message_length': MAX_FRAME_BYTES,
  // HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS (RFC 9113 §6.5.2) backstops our own per-connection
  // count (peer-server.ts), which stays lower so that its refusals are counted and logged.
  'grpc.max_concurrent_streams': 4 * DEFAULT_LIMITS.maxStreamsPerConnection,
};
