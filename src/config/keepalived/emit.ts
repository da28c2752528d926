/**
 * The imported document as YAML: a header that names the source and sums up (no date, so the
 * same input gives the same bytes), then the document with a comment before every part that
 * needs the user's attention: each report entry at the path it concerns, or in the header when
 * it concerns no written part. Short lists and small mappings in lists are written in flow
 * style (`vips: [192.0.2.10/24]`, `track: [chk-haproxy, {check: if-eth1, weight: 2}]`).
 */
import { Document, isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { Path } from '../findings.js';
import type { Conversion } from './convert.js';
import { commentOf } from './report.js';

export function emitYaml(c: Conversion, source: string): string {
  const doc = new Document(c.doc);
  const before = new Map<Node | Pair, string[]>();
  const header: string[] = [
    ` vipd configuration imported from ${source} by \`vipd import keepalived\` (docs/keepalived-import.md).`,
    ` ${summary(c)}.`,
    ' Lines marked UNMAPPED (not carried over) and NOTE (carried over with a change) name the keepalived',
    ' file and line; `vipd import keepalived` also lists them on stderr. Every group speaks standard VRRP',
    ' (transport: multicast), so this node needs no certificates (docs/lan-mode.md).',
    ' Check the result with `vipd check -c FILE`.',
    ...c.header,
  ];
  const attach = (path: Path, text: string) => {
    const target = locate(doc, path);
    if (target === undefined) {
      header.push(text);
      return;
    }
    const list = before.get(target) ?? [];
    list.push(text);
    before.set(target, list);
  };
  for (const [path, text] of c.comments) attach(path, text);
  for (const e of c.report.entries) {
    if (e.path === undefined) header.push(commentOf(e));
    else attach(e.path, commentOf(e));
  }
  for (const [target, lines] of before) {
    const node = 'key' in target ? (target.key as Scalar) : target;
    node.commentBefore = lines.join('\n');
  }
  doc.commentBefore = header.join('\n');
  flowStyle(doc.contents as Node);
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

export function summary(c: Conversion): string {
  const n = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
  const { groups, checks, syncGroups } = c.counts;
  return `From ${n(c.files.length, 'file')}: ${n(groups, 'group')}, ${n(checks, 'check')}, ${n(syncGroups, 'sync group')}; ${n(c.report.count('unmapped'), 'option')} not mapped, ${n(c.report.count('note'), 'note')}`;
}

/**
 * The pair (for a map key) or item (for a list index) at `path`; an absent path falls back to
 * its nearest present ancestor below the root, undefined for the root itself.
 */
function locate(doc: Document, path: Path): Node | Pair | undefined {
  for (let length = path.length; length > 0; length--) {
    const parent = length === 1 ? doc.contents : doc.getIn(path.slice(0, length - 1), true);
    const last = path[length - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
      // Before the first key of a list item, a comment would sit between "-" and the key: put it before the item.
      if (pair && pair === parent.items[0] && length > 1 && typeof path[length - 2] === 'number') return parent;
      if (pair) return pair;
    } else if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (item !== undefined && item !== null && typeof item === 'object') return item as Node;
    }
  }
  return undefined;
}

/** Flow style for lists of scalars and for small all-scalar mappings inside lists. */
function flowStyle(node: Node | null | undefined, inSeq = false): boolean {
  if (isSeq(node)) {
    const seq = node as YAMLSeq;
    const all = seq.items.map((item) => (isScalar(item) ? true : flowStyle(item as Node, true)));
    // A comment inside a flow list would break it over lines: such a list stays in block style.
    const commented = seq.items.some((item) => (item as { commentBefore?: string }).commentBefore);
    if (seq.items.length > 0 && all.every(Boolean) && !commented) seq.flow = true;
    return false;
  }
  if (isMap(node)) {
    const map = node as YAMLMap;
    const small = inSeq && map.items.length <= 2 && map.items.every((p) => isScalar(p.value));
    for (const p of map.items) flowStyle(p.value as Node, false);
    if (small) map.flow = true;
    return small;
  }
  return isScalar(node);
}
