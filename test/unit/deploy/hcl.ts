/**
 * Reading Terraform without Terraform (test/unit/deploy/terraform.test.ts): every .tf file is
 * parsed by HashiCorp's own HCL parser (@cdktf/hcl2json, hashicorp/hcl compiled to wasm, so it
 * runs offline), every expression is parsed again into its syntax tree, and the references and
 * templatefile() calls are read from the trees. Templates are rendered by a small implementation
 * of the part of Terraform's template language the modules use: ${name}, the escapes $${ and
 * %%{, %{ if name == "text" } / %{ else } / %{ endif } and %{ for key, value in name } /
 * %{ endfor } over a map, with the ~ strip markers.
 */
import { createRequire } from 'node:module';

/** A node of hcl2json's expression syntax tree (its syntax-tree.d.ts, the fields read here). */
export interface AstNode {
  readonly type: string;
  readonly range?: { readonly start: { readonly byte: number }; readonly end: { readonly byte: number } };
  readonly children?: readonly AstNode[];
  readonly meta?: {
    readonly value?: string;
    readonly name?: string;
    readonly keyVar?: string;
    readonly valVar?: string;
    readonly operator?: string;
    readonly type?: string;
    readonly traversal?: readonly { readonly type: string; readonly segment: string }[];
    /** An object constructor's items: key => the value's text. */
    readonly items?: Readonly<Record<string, string>>;
  };
}

interface Hcl2Json {
  parse(fileName: string, text: string): Promise<Record<string, unknown>>;
  getExpressionAst(fileName: string, expression: string): Promise<AstNode | null>;
}

// Loaded through require and typed here: the package's own .d.ts pulls the DOM lib into the
// whole program, which the project does not compile against.
const hcl = createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type Body = { [key: string]: Json };

export interface SourceFile {
  /** Relative to the directory, e.g. "main.tf". */
  readonly name: string;
  readonly text: string;
}

/** One directory of .tf files (a module or an example), merged as Terraform merges them. */
export interface TfDir {
  readonly dir: string;
  readonly files: readonly string[];
  readonly variables: Map<string, Body>;
  readonly locals: Map<string, Json>;
  /** "TYPE.NAME" */
  readonly resources: Map<string, Body>;
  /** "TYPE.NAME" (without "data.") */
  readonly data: Map<string, Body>;
  readonly outputs: Map<string, Body>;
  readonly modules: Map<string, Body>;
  readonly providers: Map<string, Body>;
  readonly terraform: Body[];
  /** Labels of every `dynamic` block: inside it, the label names the iterator. */
  readonly dynamicLabels: Set<string>;
}

/** A parse error names the file and hcl's own message; so does a name declared twice. */
export async function loadDir(dir: string, files: readonly SourceFile[]): Promise<{ tf: TfDir; problems: string[] }> {
  const problems: string[] = [];
  const tf: TfDir = {
    dir,
    files: files.map((f) => f.name),
    variables: new Map(),
    locals: new Map(),
    resources: new Map(),
    data: new Map(),
    outputs: new Map(),
    modules: new Map(),
    providers: new Map(),
    terraform: [],
    dynamicLabels: new Set(),
  };
  const put = (map: Map<string, Body>, kind: string, key: string, body: Body, file: string) => {
    if (map.has(key)) problems.push(`${file}: ${kind} ${key} is declared twice`);
    map.set(key, body);
  };
  for (const file of files) {
    let doc: Record<string, unknown>;
    try {
      doc = await hcl.parse(file.name, file.text);
    } catch (error) {
      problems.push(`${file.name}: does not parse: ${(error as Error).message}`);
      continue;
    }
    const blocks = (value: unknown) => Object.entries((value ?? {}) as Record<string, Body[]>);
    for (const [name, [body]] of blocks(doc.variable)) put(tf.variables, 'variable', name, body ?? {}, file.name);
    for (const [name, [body]] of blocks(doc.output)) put(tf.outputs, 'output', name, body ?? {}, file.name);
    for (const [name, [body]] of blocks(doc.module)) put(tf.modules, 'module', name, body ?? {}, file.name);
    for (const [name, [body]] of blocks(doc.provider)) put(tf.providers, 'provider', name, body ?? {}, file.name);
    for (const [type, named] of Object.entries((doc.resource ?? {}) as Record<string, Record<string, Body[]>>)) {
      for (const [name, [body]] of Object.entries(named)) put(tf.resources, 'resource', `${type}.${name}`, body ?? {}, file.name);
    }
    for (const [type, named] of Object.entries((doc.data ?? {}) as Record<string, Record<string, Body[]>>)) {
      for (const [name, [body]] of Object.entries(named)) put(tf.data, 'data', `${type}.${name}`, body ?? {}, file.name);
    }
    for (const block of (doc.locals ?? []) as Body[]) {
      for (const [name, value] of Object.entries(block)) {
        if (tf.locals.has(name)) problems.push(`${file.name}: local ${name} is defined twice`);
        tf.locals.set(name, value);
      }
    }
    tf.terraform.push(...((doc.terraform ?? []) as Body[]));
    collectDynamicLabels(doc as Json, tf.dynamicLabels);
  }
  return { tf, problems };
}

function collectDynamicLabels(value: Json, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectDynamicLabels(v, into);
  else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'dynamic' && v !== null && typeof v === 'object' && !Array.isArray(v)) for (const label of Object.keys(v)) into.add(label);
      collectDynamicLabels(v, into);
    }
  }
}

/** Where an expression was found: "resource aws_instance.member", "variable name", ... */
export interface Site {
  readonly kind: 'variable' | 'local' | 'resource' | 'data' | 'output' | 'module' | 'provider' | 'terraform';
  readonly name: string;
  /** The attribute path inside the block, e.g. "lifecycle.0.precondition.0.condition". */
  readonly path: string;
  readonly text: string;
}

/**
 * Every string of the directory that holds an expression (hcl2json writes each expression as a
 * "${...}" template). lifecycle.ignore_changes holds attribute names, not references: skipped.
 */
export function expressionSites(tf: TfDir): Site[] {
  const sites: Site[] = [];
  const walk = (kind: Site['kind'], name: string, value: Json, path: string[]) => {
    if (path.at(-1) === 'ignore_changes') return;
    if (typeof value === 'string') {
      if (value.includes('${')) sites.push({ kind, name, path: path.join('.'), text: value });
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(kind, name, v, [...path, String(i)]));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(kind, name, v, [...path, k]);
  };
  // A variable's `type` is a type constraint ("${string}"), not an expression.
  for (const [name, body] of tf.variables) walk('variable', name, Object.fromEntries(Object.entries(body).filter(([k]) => k !== 'type')), []);
  for (const [name, value] of tf.locals) walk('local', name, value, []);
  for (const [name, body] of tf.resources) walk('resource', name, body, []);
  for (const [name, body] of tf.data) walk('data', name, body, []);
  for (const [name, body] of tf.outputs) walk('output', name, body, []);
  for (const [name, body] of tf.modules) walk('module', name, body, []);
  for (const [name, body] of tf.providers) walk('provider', name, body, []);
  tf.terraform.forEach((body, i) => walk('terraform', String(i), body, []));
  return sites;
}

const astCache = new Map<string, AstNode>();

/** The syntax tree of one hcl2json expression string ("${...}", or text around "${...}"). */
export async function expressionAst(text: string): Promise<AstNode> {
  const cached = astCache.get(text);
  if (cached) return cached;
  const ast = await hcl.getExpressionAst('expression.tf', `"${text}"`);
  if (!ast) throw new Error(`no syntax tree for ${text}`);
  astCache.set(text, ast);
  return ast;
}

/** A reference: `aws_instance.member["a"].id` has root "aws_instance" and names [aws_instance, member, id]. */
export interface Ref {
  readonly root: string;
  readonly names: readonly string[];
  readonly text: string;
}

/**
 * The references of an expression, read from its syntax tree; the key and value symbols of a
 * `for` are not references inside it. (hcl2json's own getReferencesInExpression misses some:
 * in `[for s in x : s.a == local.b]` it drops local.b.)
 */
export async function refsIn(text: string): Promise<Ref[]> {
  const out: Ref[] = [];
  const visit = (node: AstNode, bound: ReadonlySet<string>) => {
    let scope = bound;
    if (node.type === 'for') {
      const inner = new Set(bound);
      for (const symbol of [node.meta?.keyVar, node.meta?.valVar]) if (symbol) inner.add(symbol);
      scope = inner;
    }
    const traversal = node.meta?.traversal;
    if (node.type === 'scopeTraversal' && traversal && traversal.length > 0) {
      const root = traversal[0]?.segment ?? '';
      if (!scope.has(root)) out.push({ root, names: traversal.filter((t) => t.type === 'nameTraversal').map((t) => t.segment), text: node.meta?.value ?? root });
    }
    for (const child of node.children ?? []) visit(child, scope);
  };
  visit(await expressionAst(text), new Set());
  return out;
}

/** The keys of every object constructor in an expression (`{ a = 1, b = x }`), outermost first. */
export async function objectKeysIn(text: string): Promise<string[][]> {
  const found: string[][] = [];
  const visit = (node: AstNode) => {
    if (node.type === 'object') found.push(Object.keys(node.meta?.items ?? {}));
    for (const child of node.children ?? []) visit(child);
  };
  visit(await expressionAst(text));
  return found;
}

/** A templatefile() call: its path as written and the names of the variables it passes. */
export interface TemplateCall {
  readonly path: string;
  /** undefined when the second argument is not an object literal (its names cannot be read). */
  readonly names: readonly string[] | undefined;
}

export async function templateCallsIn(text: string): Promise<TemplateCall[]> {
  const source = Buffer.from(`"${text}"`, 'utf8');
  const slice = (n: AstNode) => (n.range ? source.subarray(n.range.start.byte, n.range.end.byte).toString('utf8') : '');
  const calls: TemplateCall[] = [];
  const visit = (node: AstNode) => {
    if (node.type === 'function' && node.meta?.name === 'templatefile') {
      const [pathArg, varsArg] = node.children ?? [];
      const path = (pathArg?.children ?? [])
        .map((part) => (part.type === 'scopeTraversal' ? `\${${part.meta?.value ?? ''}}` : (part.meta?.value ?? '')))
        .join('');
      // An object constructor's children are key, value, key, value, ...
      const names = varsArg?.type === 'object' ? (varsArg.children ?? []).filter((_, i) => i % 2 === 0).map(slice) : undefined;
      calls.push({ path, names });
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(await expressionAst(text));
  return calls;
}

// ---------------------------------------------------------------------------------------------
// Templates

type Token =
  | { kind: 'text'; text: string }
  | { kind: 'interp'; name: string; trimLeft: boolean; trimRight: boolean }
  | { kind: 'if'; name: string; op: '==' | '!='; literal: string; trimLeft: boolean; trimRight: boolean }
  | { kind: 'for'; key: string | undefined; value: string; collection: string; trimLeft: boolean; trimRight: boolean }
  | { kind: 'else' | 'endif' | 'endfor'; trimLeft: boolean; trimRight: boolean };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FOR = /^for\s+(?:([A-Za-z_][A-Za-z0-9_]*)\s*,\s*)?([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * Lexes a template the way hclsyntax does for a template file: literal text is cut after each
 * newline (BareStringLiteral in scan_tokens.rl), so a `~}` strips the rest of its own line and
 * its newline, never the next line's indentation; `${~` / `%{~` strip the whitespace before them
 * in the preceding literal token (parser_template.go). Anything outside the supported subset
 * throws, naming it.
 */
function lex(template: string): Token[] {
  const tokens: Token[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') tokens.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      text += `${template[i]}{`;
      i += 3;
      continue;
    }
    if (template.startsWith('${', i) || template.startsWith('%{', i)) {
      const close = template.indexOf('}', i);
      if (close < 0) throw new Error(`unclosed ${template.slice(i, i + 20)}`);
      flush();
      let inner = template.slice(i + 2, close);
      const trimLeft = inner.startsWith('~');
      const trimRight = inner.endsWith('~');
      inner = inner.slice(trimLeft ? 1 : 0, trimRight ? -1 : undefined).trim();
      if (template[i] === '$') {
        if (!IDENT.test(inner)) throw new Error(`unsupported interpolation \${${inner}}: the templates use plain \${name} (escape a literal one as $\${)`);
        tokens.push({ kind: 'interp', name: inner, trimLeft, trimRight });
      } else {
        const cond = /^if\s+([A-Za-z_][A-Za-z0-9_]*)\s*(==|!=)\s*"([^"\\]*)"$/.exec(inner);
        const loop = FOR.exec(inner);
        if (cond) tokens.push({ kind: 'if', name: cond[1] ?? '', op: cond[2] === '==' ? '==' : '!=', literal: cond[3] ?? '', trimLeft, trimRight });
        else if (loop) tokens.push({ kind: 'for', key: loop[1], value: loop[2] ?? '', collection: loop[3] ?? '', trimLeft, trimRight });
        else if (inner === 'else' || inner === 'endif' || inner === 'endfor') tokens.push({ kind: inner, trimLeft, trimRight });
        else throw new Error(`unsupported directive %{${inner}}: the templates use %{ if name == "text" }, %{ else }, %{ endif }, %{ for [key,] value in name }, %{ endfor }`);
      }
      i = close + 1;
      continue;
    }
    text += template[i];
    if (template[i] === '\n') flush();
    i += 1;
  }
  flush();
  // The strip markers act on the adjacent literal token only.
  tokens.forEach((t, k) => {
    if (t.kind === 'text') return;
    const before = tokens[k - 1];
    const next = tokens[k + 1];
    if (t.trimLeft && before?.kind === 'text') before.text = before.text.replace(/\s+$/u, '');
    if (t.trimRight && next?.kind === 'text') next.text = next.text.replace(/^\s+/u, '');
  });
  return tokens;
}

/** The template as a tree: %{ if } and %{ for } hold their bodies. */
type Node =
  | { kind: 'text'; text: string }
  | { kind: 'interp'; name: string }
  | { kind: 'if'; name: string; op: '==' | '!='; literal: string; then: Node[]; else: Node[] }
  | { kind: 'for'; key: string | undefined; value: string; collection: string; body: Node[] };

function parse(template: string): Node[] {
  const tokens = lex(template);
  let at = 0;
  /** Nodes up to one of `until` (consumed, and returned), or the end when `until` is empty. */
  const sequence = (until: readonly string[]): { nodes: Node[]; end: string | undefined } => {
    const nodes: Node[] = [];
    while (at < tokens.length) {
      const t = tokens[at++] as Token;
      switch (t.kind) {
        case 'text':
          nodes.push({ kind: 'text', text: t.text });
          break;
        case 'interp':
          nodes.push({ kind: 'interp', name: t.name });
          break;
        case 'if': {
          const first = sequence(['else', 'endif']);
          const second = first.end === 'else' ? sequence(['endif']) : { nodes: [], end: 'endif' };
          if (second.end !== 'endif') throw new Error(`%{ if ${t.name} } without %{ endif }`);
          nodes.push({ kind: 'if', name: t.name, op: t.op, literal: t.literal, then: first.nodes, else: second.nodes });
          break;
        }
        case 'for': {
          const body = sequence(['endfor']);
          if (body.end !== 'endfor') throw new Error(`%{ for ... in ${t.collection} } without %{ endfor }`);
          nodes.push({ kind: 'for', key: t.key, value: t.value, collection: t.collection, body: body.nodes });
          break;
        }
        default:
          if (!until.includes(t.kind)) throw new Error(`%{ ${t.kind} } without its %{ ${t.kind === 'endfor' ? 'for' : 'if'} }`);
          return { nodes, end: t.kind };
      }
    }
    if (until.length > 0) throw new Error(`%{ ${until.join(' / ')} } missing`);
    return { nodes, end: undefined };
  };
  return sequence([]).nodes;
}

/** The names a template reads (interpolations, conditions, loop collections), in order of first use; a loop's own symbols are not among them. */
export function templateNames(template: string): string[] {
  const names: string[] = [];
  const visit = (nodes: readonly Node[], bound: ReadonlySet<string>) => {
    for (const n of nodes) {
      const read = n.kind === 'interp' || n.kind === 'if' ? n.name : n.kind === 'for' ? n.collection : undefined;
      if (read !== undefined && !bound.has(read) && !names.includes(read)) names.push(read);
      if (n.kind === 'if') {
        visit(n.then, bound);
        visit(n.else, bound);
      } else if (n.kind === 'for') visit(n.body, new Set([...bound, n.value, ...(n.key ? [n.key] : [])]));
    }
  };
  visit(parse(template), new Set());
  return names;
}

/** A value templatefile() is given: text (numbers and bools become text), or a map of text. */
export type TemplateValue = string | Readonly<Record<string, string>>;

/**
 * Renders like templatefile(): every name must be given (a missing one throws, naming it); a map
 * is iterated in the order of its keys, as Terraform iterates maps and objects.
 */
export function renderTemplate(template: string, vars: Readonly<Record<string, TemplateValue>>): string {
  const render = (nodes: readonly Node[], scope: Readonly<Record<string, TemplateValue>>): string => {
    const value = (name: string) => {
      const v = scope[name];
      if (v === undefined) throw new Error(`template variable ${name} has no value (given: ${Object.keys(scope).join(', ')})`);
      return v;
    };
    const text = (name: string) => {
      const v = value(name);
      if (typeof v !== 'string') throw new Error(`\${${name}} is a map: Terraform cannot interpolate it`);
      return v;
    };
    let out = '';
    for (const n of nodes) {
      if (n.kind === 'text') out += n.text;
      else if (n.kind === 'interp') out += text(n.name);
      else if (n.kind === 'if') out += render((text(n.name) === n.literal) === (n.op === '==') ? n.then : n.else, scope);
      else {
        const collection = value(n.collection);
        if (typeof collection === 'string') throw new Error(`%{ for ... in ${n.collection} }: ${n.collection} is text, not a map`);
        for (const key of Object.keys(collection).sort()) {
          out += render(n.body, { ...scope, [n.value]: collection[key] ?? '', ...(n.key ? { [n.key]: key } : {}) });
        }
      }
    }
    return out;
  };
  return render(parse(template), vars);
}
