/**
 * A pass over the raw bytes of a Frame (proto/vipd/v1/vipd.proto) that counts the repeated
 * items of its Membership message before protobufjs builds any object: `gossip` (field 15) and
 * the member records of `join` (8 → 1) and `push_pull` (9 → 2). An empty GossipItem is two bytes
 * on the wire and about 150 bytes as a decoded object, so a 1 MiB frame of them was 75 MiB of
 * objects (issue 8 finding 10), and a frame within the transport's 256 KiB limit
 * (src/adapters/grpc/limits.ts) still 20 MiB; a frame over the core's caps
 * (src/core/membership/limits.ts) is refused here, and the pass stops at the first item over the
 * cap instead of reading on.
 * Protobuf encoding: https://protobuf.dev/programming-guides/encoding/ (tags, wire type 2).
 */
import protobuf from 'protobufjs';
import { MAX_GOSSIP_PER_MESSAGE, MAX_RECORDS_PER_MESSAGE } from '../core/membership/limits.js';

const LEN = 2;
const FRAME_MEMBERSHIP = 3;
const MEMBERSHIP_JOIN = 8;
const MEMBERSHIP_PUSH_PULL = 9;
const MEMBERSHIP_GOSSIP = 15;
const JOIN_MEMBERS = 1;
const PUSH_PULL_MEMBERS = 2;

class OverLimit {
  constructor(readonly reason: string) {}
}

interface Counts {
  gossip: number;
  records: number;
}

/** Visits each field of the message in [r.pos, end); `onField` reads it or returns false to skip it. */
function fields(r: protobuf.Reader, end: number, onField: (field: number, wireType: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (!onField(field, wireType)) r.skipType(wireType);
  }
}

/** Skips one length-delimited field, returning its end. */
function embedded(r: protobuf.Reader): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new RangeError('length beyond the end of the frame');
  return end;
}

function countRecords(r: protobuf.Reader, end: number, field: number, c: Counts): void {
  fields(r, end, (f, wt) => {
    if (f !== field || wt !== LEN) return false;
    if (++c.records > MAX_RECORDS_PER_MESSAGE) throw new OverLimit(`membership message with more than ${MAX_RECORDS_PER_MESSAGE} member records`);
    r.pos = embedded(r);
    return true;
  });
}

function membership(r: protobuf.Reader, end: number, c: Counts): void {
  fields(r, end, (f, wt) => {
    if (wt !== LEN) return false;
    if (f === MEMBERSHIP_GOSSIP) {
      if (++c.gossip > MAX_GOSSIP_PER_MESSAGE) throw new OverLimit(`membership message with more than ${MAX_GOSSIP_PER_MESSAGE} gossip items`);
      r.pos = embedded(r);
      return true;
    }
    if (f === MEMBERSHIP_JOIN || f === MEMBERSHIP_PUSH_PULL) {
      const inner = embedded(r);
      countRecords(r, inner, f === MEMBERSHIP_JOIN ? JOIN_MEMBERS : PUSH_PULL_MEMBERS, c);
      r.pos = inner;
      return true;
    }
    return false;
  });
}

/**
 * Why the frame carries more membership items than a receiver reads, or undefined. Malformed
 * bytes are left to the decoder to report (undefined). Never throws; O(bytes up to the cap).
 * Every occurrence counts: protobufjs decodes each repeated occurrence of an embedded message.
 */
export function membershipOverLimit(bytes: Uint8Array): string | undefined {
  const r = protobuf.Reader.create(bytes);
  const c: Counts = { gossip: 0, records: 0 };
  try {
    fields(r, r.len, (f, wt) => {
      if (f !== FRAME_MEMBERSHIP || wt !== LEN) return false;
      const end = embedded(r);
      membership(r, end, c);
      r.pos = end;
      return true;
    });
  } catch (err) {
    if (err instanceof OverLimit) return err.reason;
  }
  return undefined;
}
