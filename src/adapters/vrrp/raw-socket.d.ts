// Types for the parts of `raw-socket` 1.8 that vipd uses (the package ships none).
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';
  export interface SocketOptions {
    addressFamily?: number;
    protocol?: number;
    bufferSize?: number;
    generateChecksums?: boolean;
    checksumOffset?: number;
  }
  export interface Socket extends EventEmitter {
    send(buffer: Buffer, offset: number, length: number, address: string, beforeCallback: (() => void) | null, afterCallback: (error: Error | null, bytes: number) => void): void;
    setOption(level: number, option: number, value: number | Buffer, length?: number): void;
    close(): void;
    pauseRecv(): void;
    resumeRecv(): void;
    on(event: 'message', listener: (buffer: Buffer, source: string) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
  }
  export function createSocket(options: SocketOptions): Socket;
  export const AddressFamily: { IPv4: number; IPv6: number };
  export const SocketLevel: { SOL_SOCKET: number; IPPROTO_IP: number; IPPROTO_IPV6: number };
  export const SocketOption: { SO_BINDTODEVICE: number; IP_TOS: number; IP_TTL: number; IPV6_UNICAST_HOPS: number };
  const raw: { createSocket: typeof createSocket; AddressFamily: typeof AddressFamily; SocketLevel: typeof SocketLevel; SocketOption: typeof SocketOption };
  export default raw;
}
