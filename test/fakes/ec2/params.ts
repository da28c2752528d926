/**
 * Strict parsing of EC2 Query parameters (EC2 API reference, "Query requests": scalars by name,
 * lists as `Name.N`, filters as `Filter.N.Name` / `Filter.N.Value.M`, tags as `Tag.N.Key` /
 * `Tag.N.Value`). Every parameter an action does not declare is refused with the parameter's
 * name, so a provider that sends something the fake (or EC2) does not take fails loudly.
 */
import { isIP } from 'node:net';
import { Ec2ApiError } from './xml.js';

export type ParamKind = 'string' | 'boolean' | 'integer' | 'list' | 'filters' | 'tags';

export interface ParamSpec {
  readonly kind: ParamKind;
  readonly required?: boolean;
  /** Filters only: the filter names this action accepts (`tag:` prefixes always pass). */
  readonly filters?: readonly string[];
}

export type ActionSpec = Readonly<Record<string, ParamSpec>>;

export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export interface TagParam {
  readonly key: string;
  readonly value: string | undefined;
}

export class Params {
  constructor(
    readonly action: string,
    private readonly scalars: ReadonlyMap<string, string | boolean | number>,
    private readonly lists: ReadonlyMap<string, readonly string[]>,
    readonly filters: readonly Filter[],
    readonly tags: readonly TagParam[] | undefined,
  ) {}

  str(name: string): string | undefined {
    const v = this.scalars.get(name);
    return typeof v === 'string' ? v : undefined;
  }

  bool(name: string): boolean | undefined {
    const v = this.scalars.get(name);
    return typeof v === 'boolean' ? v : undefined;
  }

  int(name: string): number | undefined {
    const v = this.scalars.get(name);
    return typeof v === 'number' ? v : undefined;
  }

  list(name: string): readonly string[] {
    return this.lists.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.scalars.has(name) || this.lists.has(name);
  }
}

const unknown = (key: string, action: string): Ec2ApiError =>
  new Ec2ApiError('UnknownParameter', `The parameter ${key} is not recognized for ${action} (the fake EC2 takes only what the EC2 API defines and it implements)`);

const index = (s: string | undefined): number | undefined => (s !== undefined && /^[1-9]\d*$/.test(s) ? Number(s) : undefined);

function ordered<T>(m: Map<number, T>): T[] {
  return [...m.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** Parses `form` (everything but Action and Version) against `spec`; throws on the first problem. */
export function parseParams(action: string, spec: ActionSpec, form: ReadonlyMap<string, string>): Params {
  const scalars = new Map<string, string | boolean | number>();
  const lists = new Map<string, Map<number, string>>();
  const filters = new Map<number, { name?: string; values: Map<number, string> }>();
  const tags = new Map<number, { key?: string; value?: string }>();
  let sawTags = false;

  for (const [key, value] of form) {
    const parts = key.split('.');
    const head = parts[0]!;
    const p = spec[head];
    if (!p) throw unknown(key, action);
    switch (p.kind) {
      case 'string':
      case 'boolean':
      case 'integer': {
        if (parts.length !== 1) throw unknown(key, action);
        if (p.kind === 'string') scalars.set(head, value);
        else if (p.kind === 'boolean') {
          if (value !== 'true' && value !== 'false') {
            throw new Ec2ApiError('InvalidParameterValue', `Value (${value}) for parameter ${head} is invalid. Expected 'true' or 'false'.`);
          }
          scalars.set(head, value === 'true');
        } else {
          if (!/^-?\d+$/.test(value)) throw new Ec2ApiError('InvalidParameterValue', `Value (${value}) for parameter ${head} is invalid. Expected an integer.`);
          scalars.set(head, Number(value));
        }
        break;
      }
      case 'list': {
        const n = index(parts[1]);
        if (parts.length !== 2 || n === undefined) throw unknown(key, action);
        const m = lists.get(head) ?? new Map<number, string>();
        m.set(n, value);
        lists.set(head, m);
        break;
      }
      case 'filters': {
        const n = index(parts[1]);
        const f = n === undefined ? undefined : (filters.get(n) ?? { values: new Map<number, string>() });
        if (f && parts.length === 3 && parts[2] === 'Name') f.name = value;
        else if (f && parts.length === 4 && parts[2] === 'Value' && index(parts[3]) !== undefined) f.values.set(index(parts[3])!, value);
        else throw unknown(key, action);
        filters.set(n!, f);
        break;
      }
      case 'tags': {
        const n = index(parts[1]);
        const t = n === undefined ? undefined : (tags.get(n) ?? {});
        if (t && parts.length === 3 && parts[2] === 'Key') t.key = value;
        else if (t && parts.length === 3 && parts[2] === 'Value') t.value = value;
        else throw unknown(key, action);
        tags.set(n!, t);
        sawTags = true;
        break;
      }
    }
  }

  for (const [name, p] of Object.entries(spec)) {
    const present = p.kind === 'filters' ? filters.size > 0 : p.kind === 'tags' ? sawTags : scalars.has(name) || lists.has(name);
    if (p.required && !present) throw new Ec2ApiError('MissingParameter', `The request must contain the parameter ${p.kind === 'list' ? `${name}.1` : name}`);
  }

  const filterSpec = Object.entries(spec).find(([, p]) => p.kind === 'filters')?.[1];
  const filterList: Filter[] = [...filters.entries()].sort((a, b) => a[0] - b[0]).map(([n, f]) => {
    if (f.name === undefined) throw new Ec2ApiError('MissingParameter', `The request must contain the parameter Filter.${n}.Name`);
    const known = f.name.startsWith('tag:') || (filterSpec?.filters ?? []).includes(f.name);
    if (!known) throw new Ec2ApiError('InvalidParameterValue', `The filter '${f.name}' is invalid for ${action} (known here: ${(filterSpec?.filters ?? []).join(', ')}, tag:KEY)`);
    return { name: f.name, values: ordered(f.values) };
  });

  const tagList = sawTags
    ? [...tags.entries()].sort((a, b) => a[0] - b[0]).map(([n, t]) => {
      if (t.key === undefined) throw new Ec2ApiError('MissingParameter', `The request must contain the parameter Tag.${n}.Key`);
      return { key: t.key, value: t.value };
    })
    : undefined;

  const listMap = new Map<string, readonly string[]>();
  for (const [name, m] of lists) listMap.set(name, ordered(m));
  return new Params(action, scalars, listMap, filterList, tagList);
}

/** Throws InvalidParameterValue unless `ip` is a dotted-quad IPv4 address. */
export function requireIpv4(ip: string, param: string): void {
  if (isIP(ip) !== 4) throw new Ec2ApiError('InvalidParameterValue', `Value (${ip}) for parameter ${param} is invalid. ${ip} is not a valid IPv4 address.`);
}

/** Validates an IPv4 or IPv6 CIDR (host bits zero, as EC2 requires) and returns it normalised. */
export function requireCidr(cidr: string, param: string, family: 4 | 6): string {
  const bad = (why: string): Ec2ApiError =>
    new Ec2ApiError('InvalidParameterValue', `Value (${cidr}) for parameter ${param} is invalid. ${why}`);
  const slash = cidr.indexOf('/');
  if (slash < 0) throw bad('This is not a valid CIDR block (no prefix length).');
  const addr = cidr.slice(0, slash);
  const len = cidr.slice(slash + 1);
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(len) || Number(len) > max) throw bad(`The prefix length must be 0..${max}.`);
  if (isIP(addr) !== family) throw bad(`This is not a valid IPv${family} CIDR block.`);
  if (family === 4) {
    const n = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const hostBits = 32 - Number(len);
    if (hostBits < 32 && n % 2 ** hostBits !== 0) throw bad('The address has host bits set for this prefix length.');
    if (hostBits === 32 && n !== 0) throw bad('The address has host bits set for this prefix length.');
  }
  return family === 4 ? cidr : cidr.toLowerCase();
}
