/**
 * Loads proto/vipd/v1/vipd.proto at run time (no generated code to drift or hand-edit).
 * protobufjs is what @grpc/proto-loader uses underneath; we use it directly so that decoding is
 * ours: a malformed message is dropped with a reason instead of failing the stream.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/** Finds proto/vipd/v1/vipd.proto from src/wire or dist/src/wire. */
export function protoPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'proto', 'vipd', 'v1', 'vipd.proto');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error('proto/vipd/v1/vipd.proto not found next to the vipd package');
}

let root: protobuf.Root | undefined;

export function protoType(name: string): protobuf.Type {
  root ??= protobuf.loadSync(protoPath());
  return root.lookupType(`vipd.v1.${name}`);
}

/** Decoded-message options: 64-bit integers as numbers (terms and sequences stay < 2^53). */
export const toObjectOptions: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, oneofs: true };

/** Decodes `bytes` as `type`, never throwing. */
export function decodeMessage<T>(type: protobuf.Type, bytes: Uint8Array): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    const msg = type.decode(bytes);
    return { ok: true, value: type.toObject(msg, toObjectOptions) as T };
  } catch (err) {
    return { ok: false, reason: `not a valid ${type.name} protobuf: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export function encodeMessage(type: protobuf.Type, value: object): Uint8Array {
  return type.encode(type.fromObject(value)).finish();
}
