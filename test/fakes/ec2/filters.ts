/**
 * Describe* filters and pagination as EC2 applies them (EC2 API reference, "List and filter
 * using the CLI and API"): a resource matches when, for every filter, one of its values equals
 * one of the filter's values (`*` and `?` are wildcards); `tag:KEY` matches a tag's value and
 * `tag-key` a tag's key.
 */
import type { Filter, Params } from './params.js';
import { Ec2ApiError } from './xml.js';

const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

/**
 * `valuesOf(name)` gives the resource's values for a filter name (the parser already refused
 * names the action does not declare).
 */
export function matchesFilters(
  filters: readonly Filter[],
  valuesOf: (name: string) => readonly (string | undefined)[],
  tags: Readonly<Record<string, string>>,
): boolean {
  return filters.every((f) => {
    let have: readonly (string | undefined)[];
    if (f.name.startsWith('tag:')) have = [tags[f.name.slice(4)]];
    else if (f.name === 'tag-key') have = Object.keys(tags);
    else if (f.name === 'tag-value') have = Object.values(tags);
    else have = valuesOf(f.name);
    const patterns = f.values.map(wildcard);
    return have.some((v) => v !== undefined && patterns.some((p) => p.test(v)));
  });
}

/** One page of `items` for MaxResults / NextToken (an opaque offset token). */
export function paginate<T>(items: readonly T[], p: Params, min: number, max: number): { page: readonly T[]; nextToken: string | undefined } {
  const token = p.str('NextToken');
  let start = 0;
  if (token !== undefined) {
    const m = /^fake-offset-(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!m) throw new Ec2ApiError('InvalidPaginationToken', `The pagination token '${token}' is invalid (not one this endpoint returned)`);
    start = Number(m[1]);
  }
  const maxResults = p.int('MaxResults');
  if (maxResults === undefined) return { page: items.slice(start), nextToken: undefined };
  if (maxResults < min || maxResults > max) {
    throw new Ec2ApiError('InvalidParameterValue', `Value (${maxResults}) for parameter MaxResults is invalid. Expecting a value between ${min} and ${max}.`);
  }
  const end = start + maxResults;
  return {
    page: items.slice(start, end),
    nextToken: end < items.length ? Buffer.from(`fake-offset-${end}`).toString('base64') : undefined,
  };
}
