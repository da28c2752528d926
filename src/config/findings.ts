// A finding is a problem at a path in the document, before it is tied to a file and line.
import { shorten } from './messages.js';

export type Path = readonly (string | number)[];

export interface Finding {
  readonly path: Path;
  readonly message: string;
  /** Point at the key rather than its value (unknown keys: the value is not the problem). */
  readonly at?: 'key';
}

/** Longer keys are quoted and cut, like every long text in a message. */
const PLAIN_KEY = /^[A-Za-z0-9_-]{1,40}$/;

/** `groups[0].priority`; keys that would be ambiguous are quoted: `groups[0]["a.b"]`; root is `(root)`. */
export function formatPath(path: Path): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(shorten(segment))}]`;
  }
  return text === '' ? '(root)' : text;
}

/**
 * One rule for every "must be unique" check (group names, VRIDs, VIPs, peers): the first
 * occurrence is fine, each later one is reported and names where the first one is.
 */
export function duplicates(
  entries: readonly { readonly key: string; readonly path: Path }[],
  message: (key: string, firstPath: string) => string,
): Finding[] {
  const first = new Map<string, Path>();
  const found: Finding[] = [];
  for (const { key, path } of entries) {
    const earlier = first.get(key);
    if (earlier === undefined) first.set(key, path);
    else found.push({ path, message: message(key, formatPath(earlier)) });
  }
  return found;
}
