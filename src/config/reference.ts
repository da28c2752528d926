/**
 * The configuration reference (docs/config-reference.md) written from the published JSON Schema
 * (emit-schema.ts), so it can never drift from what the loader accepts:
 * test/unit/config/reference-file.test.ts fails when the copy is stale (`npm run schema` writes
 * both). One table per mapping: key, type, default, what it is; lists of mappings (groups,
 * checks, sync_groups) and each provider get their own table.
 */

interface Node {
  readonly type?: string | readonly string[];
  readonly properties?: Record<string, Node>;
  readonly required?: readonly string[];
  readonly items?: Node;
  readonly anyOf?: readonly Node[];
  readonly oneOf?: readonly Node[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A short type: `integer 1-255`, `one of a, b`, `list of string`, `mapping`. */
function typeOf(n: Node): string {
  if (n.const !== undefined) return `\`${JSON.stringify(n.const)}\``;
  if (n.enum) return `one of ${n.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  const alts = n.anyOf ?? n.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' or ');
  if (n.type === 'array') return `list of ${n.items ? typeOf(n.items) : 'values'}`;
  if (n.type === 'object') return 'mapping';
  if (n.type === 'integer' || n.type === 'number') {
    const range = n.minimum !== undefined && n.maximum !== undefined ? ` ${n.minimum}-${n.maximum}` : n.minimum !== undefined ? ` ≥ ${n.minimum}` : '';
    return `${n.type}${range}`;
  }
  if (n.type === 'string' && n.pattern === '^\\d{1,9}(\\.\\d{1,6})?(ms|s|m|h)$') return 'duration';
  return typeof n.type === 'string' ? n.type : n.type ? n.type.join(' or ') : 'any';
}

function defaultOf(n: Node): string {
  if (n.default === undefined) return '';
  const d = n.default;
  if (Array.isArray(d) && d.length === 0) return '`[]`';
  if (typeof d === 'object' && d !== null && Object.keys(d).length === 0) return '';
  return `\`${typeof d === 'string' ? d : JSON.stringify(d)}\``;
}

/** The mapping a field holds, itself or as a list's items (not through alternatives). */
function mappingOf(n: Node): Node | undefined {
  if (n.type === 'object' && n.properties) return n;
  if (n.type === 'array' && n.items?.type === 'object' && n.items.properties) return n.items;
  return undefined;
}

/** Alternatives, with a provider's own alternatives (one per mode) spread out. */
function variants(alts: readonly Node[]): Node[] {
  return alts.flatMap((a) => (a.properties === undefined && a.oneOf ? variants(a.oneOf) : [a]));
}

function table(title: string, level: number, n: Node, out: string[]): void {
  const props = n.properties ?? {};
  const required = new Set(n.required ?? []);
  out.push(`${'#'.repeat(level)} ${title}`, '');
  if (n.description) out.push(`${n.description[0]?.toUpperCase() ?? ''}${n.description.slice(1)}.`, '');
  out.push('| key | type | default | what it is |', '|---|---|---|---|');
  const nested: [string, Node][] = [];
  const seen = new Set<string>();
  for (const [key, p] of Object.entries(props)) {
    const sub = mappingOf(p);
    const isList = p.type === 'array';
    const name = sub ? `[\`${key}\`](#${anchor(`${title} ${key}`)})` : `\`${key}\``;
    out.push(`| ${name}${required.has(key) ? ' (required)' : ''} | ${cell(typeOf(p))} | ${cell(defaultOf(p))} | ${cell(p.description ?? '')} |`);
    if (sub) nested.push([`${title.replace(/`/g, '')} ${key}${isList ? '[]' : ''}`, sub]);
    const alts = variants(p.oneOf ?? (p.type === 'array' ? p.items?.oneOf : undefined) ?? []);
    // `providers` takes what `provider` takes: its tables once.
    const same = JSON.stringify(alts);
    if (alts.length > 0 && seen.has(same)) continue;
    seen.add(same);
    if (alts.length > 0 && alts.every((a) => a.properties?.type?.const !== undefined)) {
      for (const a of alts) {
        const mode = a.properties?.mode?.const;
        nested.push([`${title.replace(/`/g, '')} ${key}: ${String(a.properties?.type?.const)}${mode !== undefined ? ` mode ${String(mode)}` : ''}`, a]);
      }
    }
  }
  out.push('');
  for (const [t, sub] of nested) table(t, Math.min(level + 1, 4), sub, out);
}

/** GitHub's heading anchors: lower case, spaces to dashes, most punctuation dropped. */
function anchor(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

export function referenceMarkdown(schemaText: string): string {
  const schema = JSON.parse(schemaText) as Node;
  const out: string[] = [
    '# Configuration reference',
    '',
    'Every key vipd accepts, from the JSON Schema the loader is built from (docs/vipd.schema.json).',
    'Written by `npm run schema`; a test fails when this file is stale, so do not edit it by hand.',
    'docs/configuration.md explains the file; docs/vipd.schema.json lets an editor check it.',
    '',
  ];
  table('Top level', 2, schema, out);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
