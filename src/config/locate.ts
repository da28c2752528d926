// Where a document path sits in the YAML source, as 1-based line and column.
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import type { Path } from './findings.js';

export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * The node at `path`; for `at: 'key'` the key itself. A path that does not exist in the
 * source (a missing key) falls back to the nearest ancestor: the mapping that lacks it.
 */
export function locate(doc: Document, lines: LineCounter, path: Path, at?: 'key'): Position | undefined {
  if (at === 'key' && path.length > 0) {
    const key = keyNode(doc, lines, path.slice(0, -1), path[path.length - 1]);
    if (key) return key;
  }
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return position(lines, node.range[0]);
  }
  return undefined;
}

function keyNode(doc: Document, lines: LineCounter, parentPath: Path, key: string | number | undefined): Position | undefined {
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (!isMap(parent)) return undefined;
  for (const pair of parent.items) {
    if (isScalar(pair.key) && String(pair.key.value) === String(key) && pair.key.range) {
      return position(lines, pair.key.range[0]);
    }
  }
  return undefined;
}

function position(lines: LineCounter, offset: number): Position {
  const { line, col } = lines.linePos(offset);
  return { line, column: col };
}
