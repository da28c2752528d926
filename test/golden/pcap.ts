/**
 * A tiny reader for classic libpcap files (not pcapng): global header, then records of
 * (timestamp, captured length, original length, bytes). Either byte order, micro- or
 * nanosecond timestamps. Test code: a malformed file throws.
 */
import { readFileSync } from 'node:fs';

export const LINKTYPE_ETHERNET = 1;

export interface PcapRecord {
  /** Seconds since the epoch, with the fraction. */
  timestamp: number;
  /** Length on the wire; `data` may be shorter if the snapshot length cut it. */
  originalLength: number;
  data: Uint8Array;
}

export interface Pcap {
  linkType: number;
  snapLength: number;
  records: PcapRecord[];
}

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

export function parsePcap(bytes: Uint8Array): Pcap {
  if (bytes.length < GLOBAL_HEADER) throw new Error(`pcap file is ${bytes.length} bytes; shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const big = view.getUint32(0, false);
  const little = view.getUint32(0, true);
  const le = little === MAGIC_US || little === MAGIC_NS;
  if (!le && big !== MAGIC_US && big !== MAGIC_NS) throw new Error(`not a classic pcap file (magic 0x${big.toString(16)})`);
  const fractionPerSecond = (le ? little : big) === MAGIC_NS ? 1e9 : 1e6;
  const u32 = (at: number): number => view.getUint32(at, le);
  const records: PcapRecord[] = [];
  for (let at = GLOBAL_HEADER; at < bytes.length;) {
    if (at + RECORD_HEADER > bytes.length) throw new Error(`pcap record header at byte ${at} is cut short`);
    const captured = u32(at + 8);
    if (at + RECORD_HEADER + captured > bytes.length) throw new Error(`pcap record at byte ${at} is cut short`);
    records.push({
      timestamp: u32(at) + u32(at + 4) / fractionPerSecond,
      originalLength: u32(at + 12),
      data: bytes.slice(at + RECORD_HEADER, at + RECORD_HEADER + captured),
    });
    at += RECORD_HEADER + captured;
  }
  return { linkType: u32(20), snapLength: u32(16), records };
}

/** A capture in this folder by name, e.g. "vrrpv3-advert". */
export function readGolden(name: string): Pcap {
  return parsePcap(new Uint8Array(readFileSync(new URL(`./${name}.pcap`, import.meta.url))));
}

/** A classic little-endian microsecond pcap of `frames` (Ethernet unless told), one per record, for tools such as tshark. */
export function encodePcap(frames: readonly { timestamp: number; data: Uint8Array }[], linkType = LINKTYPE_ETHERNET): Uint8Array {
  const size = GLOBAL_HEADER + frames.reduce((n, f) => n + RECORD_HEADER + f.data.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC_US, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 65535, true);
  view.setUint32(20, linkType, true);
  let at = GLOBAL_HEADER;
  for (const f of frames) {
    const seconds = Math.floor(f.timestamp);
    view.setUint32(at, seconds, true);
    view.setUint32(at + 4, Math.round((f.timestamp - seconds) * 1e6), true);
    view.setUint32(at + 8, f.data.length, true);
    view.setUint32(at + 12, f.data.length, true);
    out.set(f.data, at + RECORD_HEADER);
    at += RECORD_HEADER + f.data.length;
  }
  return out;
}
