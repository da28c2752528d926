/**
 * Hex helpers for golden tests. Packets are written as labelled byte groups (kube-vip style) so
 * that a failing comparison points at a field, not an offset.
 */

/** Field label and its bytes in hex; spaces inside the hex are ignored. */
export type ByteGroup = readonly [label: string, hex: string];

export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (!/^([0-9a-fA-F]{2})*$/.test(clean)) throw new Error(`bad hex ${JSON.stringify(hex)}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (h) => parseInt(h, 16));
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The packet the groups spell out. */
export function joinGroups(groups: readonly ByteGroup[]): Uint8Array {
  return fromHex(groups.map(([, hex]) => hex).join(''));
}

/** "label: hex" per group, cutting `bytes` at the groups' lengths: diffs then name the field. */
export function labelBytes(groups: readonly ByteGroup[], bytes: Uint8Array): string[] {
  let at = 0;
  const out = groups.map(([label, hex]) => {
    const n = hex.replace(/\s+/g, '').length / 2;
    const line = `${label}: ${toHex(bytes.subarray(at, at + n))}`;
    at += n;
    return line;
  });
  if (at < bytes.length) out.push(`(extra): ${toHex(bytes.subarray(at))}`);
  return out;
}

/** Expected groups as "label: hex" lines, to compare with labelBytes(groups, actual). */
export function expectedLines(groups: readonly ByteGroup[]): string[] {
  return groups.map(([label, hex]) => `${label}: ${hex.replace(/\s+/g, '').toLowerCase()}`);
}

/**
 * Golden bytes written one field a line: hex byte groups, then the field's label (from the first
 * word that is not hex). The labels are for the reader; the bytes are the hex of every line.
 */
export function labelledHex(text: string): Uint8Array {
  return fromHex(text.split('\n').map((line) => {
    const words = line.trim().split(/\s+/);
    const end = words.findIndex((w) => !/^([0-9a-f]{2})+$/.test(w));
    return (end === -1 ? words : words.slice(0, end)).join('');
  }).join(''));
}
