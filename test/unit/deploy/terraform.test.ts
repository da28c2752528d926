/**
 * deploy/terraform: the aws-vip-pair and gcp-vip-pair modules, their examples, and
 * vipd-node-config, the child module both call for each node's vipd.yaml and boot script; checked
 * without Terraform (it cannot be installed here). Every .tf file is parsed by HashiCorp's HCL
 * parser (test/unit/deploy/hcl.ts); then, for each module and example: every var.X is declared
 * and every variable used, with a description and a type; every local, resource, data and module
 * reference names something that exists (module.M.X an output of M); each templatefile() path
 * exists and passes exactly the names its template uses; every module call passes each required
 * variable of its module and nothing unknown, and a variable passed on unchanged keeps the
 * child's type and leaves its validation to the child; an output that reads a secret is
 * sensitive; providers are pinned. The AWS role's policy is deploy/aws/iam-policy.json statement
 * by statement, per mode; the GCP custom role is deploy/gcp/vipd-role.yaml; no ingress from
 * anywhere but the opt-in SSH list. Each node's user data / startup script is rendered from the
 * shared templates with each cloud's provider options and a real test PKI, checked by `bash -n`,
 * its files written to a temporary /etc/vipd, and the vipd.yaml it writes loaded by vipd's own
 * loader (src/config/load.ts) and its TLS files by loadTlsFiles.
 *
 * Every check returns the problems it found (file, block, what), and the last part of this file
 * breaks the real modules one way at a time and shows that each check reports the break.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';
import { parseConfigText } from '../../../src/config/load.js';
import { DEFAULT_LISTEN } from '../../../src/config/types.js';
import { makeTestPki, type TestPki } from '../../../src/security/certs.js';
import { loadTlsFiles } from '../../../src/security/identity.js';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT } from '../../../src/wire/bfd.js';
import {
  expressionAst, expressionSites, loadDir, objectKeysIn, refsIn, renderTemplate, templateCallsIn, templateNames,
  type AstNode, type Body, type Json, type Ref, type SourceFile, type TemplateValue, type TfDir,
} from './hcl.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TERRAFORM = join(root, 'deploy', 'terraform');
type ModuleName = 'aws-vip-pair' | 'gcp-vip-pair';
const MODULES: readonly ModuleName[] = ['aws-vip-pair', 'gcp-vip-pair'];
const EXAMPLE = join('examples', 'basic');
/** The child module both cloud modules call (module "node_config", source "../vipd-node-config"). */
const SHARED = 'vipd-node-config';
const SHARED_SOURCE = `../${SHARED}`;

const report = (problems: readonly string[]) => (problems.length === 0 ? '' : `${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
const noProblems = (problems: readonly string[]) => assert.deepEqual(problems, [], report(problems));

function tfFiles(dir: string, edits: Readonly<Record<string, (text: string) => string>> = {}): SourceFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.tf'))
    .sort()
    .map((name) => ({ name, text: (edits[name] ?? ((t: string) => t))(readFileSync(join(dir, name), 'utf8')) }));
}

interface Loaded {
  readonly module: TfDir;
  readonly example: TfDir;
  readonly problems: string[];
}

/**
 * A module and its example. `edits` changes files before parsing ("main.tf", "examples/basic/main.tf"):
 * the tests at the end use it to break one thing at a time.
 */
async function load(name: ModuleName, edits: Readonly<Record<string, (text: string) => string>> = {}): Promise<Loaded> {
  const dir = join(TERRAFORM, name);
  const exampleDir = join(dir, EXAMPLE);
  const exampleEdits = Object.fromEntries(Object.entries(edits).filter(([k]) => k.startsWith('examples/')).map(([k, v]) => [k.slice('examples/basic/'.length), v]));
  const m = await loadDir(dir, tfFiles(dir, edits));
  const e = await loadDir(exampleDir, tfFiles(exampleDir, exampleEdits));
  return { module: m.tf, example: e.tf, problems: [...m.problems.map((p) => `${name}/${p}`), ...e.problems.map((p) => `${name}/${EXAMPLE}/${p}`)] };
}

/** vipd-node-config, with `edits` as for load(). */
async function loadShared(edits: Readonly<Record<string, (text: string) => string>> = {}): Promise<{ tf: TfDir; problems: string[] }> {
  const dir = join(TERRAFORM, SHARED);
  const m = await loadDir(dir, tfFiles(dir, edits));
  return { tf: m.tf, problems: m.problems.map((p) => `${SHARED}/${p}`) };
}

/** The module calls of `tf` whose source is one of `known`, by call name. */
function childrenOf(tf: TfDir, known: readonly TfDir[]): Map<string, TfDir> {
  const children = new Map<string, TfDir>();
  for (const [name, body] of tf.modules) {
    const child = known.find((k) => k.dir === resolve(tf.dir, str(body.source) ?? ''));
    if (child) children.set(name, child);
  }
  return children;
}

const str = (v: Json | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const firstBlock = (v: Json | undefined): Body | undefined => (Array.isArray(v) && v[0] !== null && typeof v[0] === 'object' && !Array.isArray(v[0]) ? (v[0] as Body) : undefined);
const blocks = (v: Json | undefined): Body[] => (Array.isArray(v) ? (v.filter((b) => b !== null && typeof b === 'object' && !Array.isArray(b)) as Body[]) : []);

// ---------------------------------------------------------------------------------------------
// Checks that hold for every module and example

/** Every variable has a description and a type; every output a description; secrets are sensitive. */
function declarationProblems(tf: TfDir, where: string): string[] {
  const problems: string[] = [];
  for (const [name, body] of tf.variables) {
    if (!str(body.description)?.trim()) problems.push(`${where}: variable ${name} has no description`);
    if (body.type === undefined) problems.push(`${where}: variable ${name} has no type`);
    if (/private_key|advert_key$/.test(name) && body.sensitive !== true) problems.push(`${where}: variable ${name} holds a secret but is not sensitive = true`);
  }
  for (const [name, body] of tf.outputs) if (!str(body.description)?.trim()) problems.push(`${where}: output ${name} has no description`);
  return problems;
}

const BUILTIN_ROOTS = new Set(['path', 'terraform', 'each', 'count', 'self']);

/**
 * Every reference names something declared here; every variable and local is used; a
 * variable's validation names only that variable (Terraform before 1.9); module.M.X names an
 * output of M (`children`: each module call's module, see childrenOf; every call must be there).
 */
async function referenceProblems(tf: TfDir, where: string, children: ReadonlyMap<string, TfDir> = new Map()): Promise<string[]> {
  const problems: string[] = [];
  const usedVars = new Set<string>();
  const usedLocals = new Set<string>();
  for (const site of expressionSites(tf)) {
    const at = `${where}: ${site.kind} ${site.name}${site.path ? ` (${site.path})` : ''}`;
    let refs;
    try {
      refs = await refsIn(site.text);
    } catch (error) {
      problems.push(`${at}: expression does not parse: ${(error as Error).message}`);
      continue;
    }
    for (const ref of refs) {
      const [, second, third] = ref.names;
      switch (ref.root) {
        case 'var':
          if (!second || !tf.variables.has(second)) problems.push(`${at}: ${ref.text}: var.${second ?? '?'} is not declared`);
          if (site.kind === 'variable' && second !== site.name) problems.push(`${at}: the validation of ${site.name} names var.${second ?? '?'} (Terraform < 1.9 allows only the variable itself)`);
          if (site.kind !== 'variable' && second) usedVars.add(second);
          break;
        case 'local':
          if (!second || !tf.locals.has(second)) problems.push(`${at}: ${ref.text}: local.${second ?? '?'} is not defined`);
          else if (!(site.kind === 'local' && site.name === second)) usedLocals.add(second);
          break;
        case 'data':
          if (!tf.data.has(`${second}.${third}`)) problems.push(`${at}: ${ref.text}: no data block ${second}.${third}`);
          break;
        case 'module':
          if (!second || !tf.modules.has(second)) problems.push(`${at}: ${ref.text}: no module ${second ?? '?'}`);
          else if (!children.has(second)) problems.push(`${at}: ${ref.text}: module ${second}'s source is not a module this test loads`);
          else if (third && !children.get(second)?.outputs.has(third)) problems.push(`${at}: ${ref.text}: module ${second} has no output ${third}`);
          break;
        default:
          if (BUILTIN_ROOTS.has(ref.root) || tf.dynamicLabels.has(ref.root)) break;
          if (!tf.resources.has(`${ref.root}.${second}`)) problems.push(`${at}: ${ref.text}: no resource ${ref.root}.${second ?? '?'}`);
      }
    }
  }
  for (const name of tf.variables.keys()) if (!usedVars.has(name)) problems.push(`${where}: variable ${name} is declared but never used`);
  for (const name of tf.locals.keys()) if (!usedLocals.has(name)) problems.push(`${where}: local ${name} is defined but never used`);
  return problems;
}

interface FoundCall {
  readonly site: string;
  readonly template: string;
  readonly names: readonly string[];
}

/** templatefile(): "${path.module}/templates/FILE", FILE exists, and it passes exactly the names FILE uses. */
async function templateProblems(tf: TfDir, where: string): Promise<{ problems: string[]; calls: FoundCall[] }> {
  const problems: string[] = [];
  const calls: FoundCall[] = [];
  for (const site of expressionSites(tf)) {
    const at = `${where}: ${site.kind} ${site.name}`;
    for (const call of await templateCallsIn(site.text)) {
      const m = /^\$\{path\.module\}\/(templates\/[A-Za-z0-9._-]+)$/.exec(call.path);
      if (!m?.[1]) {
        problems.push(`${at}: templatefile("${call.path}"): write the path as "\${path.module}/templates/FILE"`);
        continue;
      }
      const file = join(tf.dir, m[1]);
      if (!existsSync(file)) {
        problems.push(`${at}: templatefile: ${m[1]} does not exist`);
        continue;
      }
      if (!call.names) {
        problems.push(`${at}: templatefile(${m[1]}, ...): pass the variables as an object literal (so they can be checked)`);
        continue;
      }
      let used: string[];
      try {
        used = templateNames(readFileSync(file, 'utf8'));
      } catch (error) {
        problems.push(`${where}: ${m[1]}: ${(error as Error).message}`);
        continue;
      }
      for (const n of used) if (!call.names.includes(n)) problems.push(`${at}: ${m[1]} uses \${${n}}, which templatefile() does not pass`);
      for (const n of call.names) if (!used.includes(n)) problems.push(`${at}: templatefile() passes ${n}, which ${m[1]} does not use`);
      calls.push({ site: `${site.kind} ${site.name}`, template: m[1], names: call.names });
    }
  }
  return { problems, calls };
}

/** required_version, and every provider with a source and a version range with both ends (a module without resources needs none). */
function pinProblems(tf: TfDir, where: string): string[] {
  const problems: string[] = [];
  const terraform = tf.terraform[0];
  if (!terraform) return [`${where}: no terraform block (versions.tf)`];
  if (!str(terraform.required_version)) problems.push(`${where}: terraform.required_version is not set`);
  const providers = firstBlock(terraform.required_providers) ?? {};
  const usesProviders = tf.resources.size > 0 || tf.data.size > 0 || tf.providers.size > 0;
  if (usesProviders && Object.keys(providers).length === 0) problems.push(`${where}: terraform.required_providers is empty`);
  for (const [name, spec] of Object.entries(providers)) {
    const s = spec as Body;
    if (!str(s.source)) problems.push(`${where}: provider ${name} has no source`);
    const version = str(s.version) ?? '';
    if (!/^(>=\s*\d+\.\d+\.\d+,\s*<\s*\d+\.\d+\.\d+|~>\s*\d+\.\d+(\.\d+)?)$/.test(version)) problems.push(`${where}: provider ${name} version "${version}" is not pinned (">= X.Y.Z, < N.0.0" or "~> X.Y")`);
  }
  return problems;
}

const MODULE_META_ARGUMENTS = new Set(['source', 'version', 'providers', 'count', 'for_each', 'depends_on']);

/** The one module block of `caller` whose source is `child`'s directory (or the problem). */
function callOf(caller: TfDir, child: TfDir, where: string, childName: string): { name: string; body: Body } | string {
  const calls = [...caller.modules].filter(([, body]) => str(body.source) && resolve(caller.dir, str(body.source) ?? '') === child.dir);
  if (calls.length !== 1) return `${where}: expected one module block whose source is ${childName}; found ${calls.length}`;
  const [[name, body]] = calls as [[string, Body]];
  return { name, body };
}

/** A module call passes every variable of its module that has no default, and nothing the module does not declare. */
function moduleCallProblems(caller: TfDir, child: TfDir, where: string, childName: string): string[] {
  const call = callOf(caller, child, where, childName);
  if (typeof call === 'string') return [call];
  const problems: string[] = [];
  const args = Object.keys(call.body).filter((k) => !MODULE_META_ARGUMENTS.has(k));
  for (const a of args) if (!child.variables.has(a)) problems.push(`${where}: module ${call.name} passes ${a}, which ${childName} does not declare`);
  for (const [name, v] of child.variables) if (!('default' in v) && !args.includes(name)) problems.push(`${where}: module ${call.name} does not pass ${name}, which has no default`);
  return problems;
}

/** The example calls the module by its path, with every required variable and no unknown one, on the module's provider pins. */
function exampleProblems(example: TfDir, module: TfDir, where: string): string[] {
  const problems = moduleCallProblems(example, module, where, 'the module (../..)');
  const pins = (tf: TfDir) => JSON.stringify(firstBlock(tf.terraform[0]?.required_providers) ?? {});
  if (pins(example) !== pins(module)) problems.push(`${where}: required_providers ${pins(example)} differ from the module's ${pins(module)}`);
  return problems;
}

/** Types that need no validation: a switch, and free-form tags or labels. */
const UNVALIDATED_TYPES = new Set(['${bool}', '${map(string)}']);

/**
 * The arguments of the call of `child` written `X = var.X` pass the caller's variable X on
 * unchanged: it must have the child's type and sensitivity, and leave the validation to the
 * child (one rule, in one place; Terraform checks a child's variables at plan time as it checks
 * the root's). Every variable of the caller but a bool or a map of tags is validated somewhere:
 * by itself, or by the child it is passed to. Returns the names passed on.
 */
function passThroughProblems(caller: TfDir, child: TfDir, where: string, childName: string): { problems: string[]; passed: string[] } {
  const call = callOf(caller, child, where, childName);
  if (typeof call === 'string') return { problems: [call], passed: [] };
  const problems: string[] = [];
  const passed: string[] = [];
  for (const [arg, value] of Object.entries(call.body)) {
    const mine = caller.variables.get(arg);
    const theirs = child.variables.get(arg);
    if (value !== `\${var.${arg}}` || !mine || !theirs) continue;
    passed.push(arg);
    if (JSON.stringify(mine.type) !== JSON.stringify(theirs.type)) problems.push(`${where}: variable ${arg} is ${String(mine.type)}, but ${childName} takes ${String(theirs.type)}`);
    if ((mine.sensitive === true) !== (theirs.sensitive === true)) problems.push(`${where}: variable ${arg} is ${mine.sensitive === true ? '' : 'not '}sensitive, and ${childName}'s is ${theirs.sensitive === true ? '' : 'not'}`);
    if (mine.validation !== undefined) problems.push(`${where}: variable ${arg} has a validation of its own; ${childName} validates it (keep the rule in one place)`);
    if (theirs.validation === undefined && !UNVALIDATED_TYPES.has(String(theirs.type))) problems.push(`${where}: ${childName}'s variable ${arg} has no validation`);
  }
  for (const [name, v] of caller.variables) {
    const validated = v.validation !== undefined || (passed.includes(name) && child.variables.get(name)?.validation !== undefined);
    if (!validated && !UNVALIDATED_TYPES.has(String(v.type))) problems.push(`${where}: variable ${name} is validated nowhere (not here, not in ${childName}): a bad value would only fail at apply, or on the node`);
  }
  return { problems, passed };
}

/**
 * Terraform refuses an output derived from a sensitive value unless it is sensitive = true, and a
 * for_each or count derived from one. Sensitive: a sensitive variable, a sensitive output of a
 * module called here, and any local that reads one of these.
 */
async function sensitiveProblems(tf: TfDir, where: string, children: ReadonlyMap<string, TfDir> = new Map()): Promise<string[]> {
  const tainted = new Set<string>();
  const sensitive = (ref: Ref) =>
    (ref.root === 'var' && tf.variables.get(ref.names[1] ?? '')?.sensitive === true)
    || (ref.root === 'local' && tainted.has(ref.names[1] ?? ''))
    || (ref.root === 'module' && children.get(ref.names[1] ?? '')?.outputs.get(ref.names[2] ?? '')?.sensitive === true);
  const sites = await Promise.all(expressionSites(tf).map(async (site) => ({ site, refs: await refsIn(site.text) })));
  for (let grew = true; grew;) {
    grew = false;
    for (const { site, refs } of sites) {
      if (site.kind === 'local' && !tainted.has(site.name) && refs.some(sensitive)) {
        tainted.add(site.name);
        grew = true;
      }
    }
  }
  const problems: string[] = [];
  for (const { site, refs } of sites) {
    const secret = refs.find(sensitive);
    if (!secret) continue;
    if (site.kind === 'output' && tf.outputs.get(site.name)?.sensitive !== true) problems.push(`${where}: output ${site.name} reads ${secret.text}, a sensitive value, and is not sensitive = true`);
    if ((site.kind === 'resource' || site.kind === 'module' || site.kind === 'data') && (site.path === 'for_each' || site.path === 'count')) problems.push(`${where}: ${site.kind} ${site.name}: ${site.path} reads ${secret.text}, a sensitive value`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// AWS: the policy is deploy/aws/iam-policy.json; ingress only between members (and opt-in SSH)

interface ReferenceStatement {
  Sid: string;
  Effect: string;
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}
const awsReference = JSON.parse(readFileSync(join(root, 'deploy/aws/iam-policy.json'), 'utf8')) as { Statement: ReferenceStatement[] };

/** An ARN's resource type ("elastic-ip", "network-interface", ...), or "*". */
const arnKind = (arn: string) => (arn === '*' ? '*' : (/^arn:aws:ec2:[^:]*:[^:]*:([a-z-]+)\//.exec(arn)?.[1] ?? `? ${arn}`));
const conditionKeys = (c: ReferenceStatement['Condition']) =>
  Object.entries(c ?? {}).flatMap(([test, vars]) => Object.entries(vars).map(([variable, values]) => `${test} ${variable} ${[values].flat().sort().join(',')}`)).sort();

/** What the module grants in one vip_mode, per statement Sid. */
interface Grant {
  readonly actions: string[];
  readonly kinds: string[];
  readonly conditions: string[];
  readonly effect: string;
}

/** What the module's statements should be in each mode (deploy/aws/README.md: which statement serves which mode). */
const AWS_MODE_STATEMENTS: Record<string, Record<string, string[]>> = {
  eip: { VipdDescribe: ['*'], VipdElasticIp: ['elastic-ip', 'instance', 'network-interface'], VipdFenceTags: ['elastic-ip'] },
  'secondary-ip': { VipdDescribe: ['*'], VipdSecondaryIp: ['network-interface'], VipdFenceTags: ['network-interface'] },
};
/** The reference's statements the module leaves out, and why. */
const AWS_NOT_GRANTED: Record<string, string> = { VipdRoutes: 'the module has no route mode (deploy/aws/README.md: delete the statements of the modes you do not use)' };

/**
 * Evaluates the small part of HCL the policy document uses: `var.vip_mode == "x" ? A : B`, tuples
 * of strings, concat(), and local.X where X is a list of ARNs (its resource types, read from the
 * ARN template in its definition). Anything else throws, naming it.
 */
async function evaluate(text: string, tf: TfDir, mode: string): Promise<string[] | string | boolean> {
  const localKinds = (name: string) => {
    const def = str(tf.locals.get(name));
    if (def === undefined) throw new Error(`local.${name} is not defined`);
    const kinds = [...new Set([...def.matchAll(/\}:(elastic-ip|network-interface|instance|route-table)\//g)].map((m) => m[1] ?? ''))];
    if (kinds.length !== 1 || !def.includes('${local.arn_prefix}:')) throw new Error(`local.${name} is not a list of "\${local.arn_prefix}:TYPE/ID" ARNs: ${def}`);
    return kinds;
  };
  const ev = (n: AstNode): string[] | string | boolean => {
    const kids = n.children ?? [];
    switch (n.type) {
      case 'templateWrap':
        return kids[0] ? ev(kids[0]) : '';
      case 'literalValue':
        return n.meta?.value ?? '';
      case 'template':
        return kids.map((k) => { const v = ev(k); if (typeof v !== 'string') throw new Error(`not a string: ${n.meta?.value}`); return v; }).join('');
      case 'tuple':
        return kids.flatMap((k) => { const v = ev(k); if (typeof v === 'boolean') throw new Error(`not a list of strings: ${n.meta?.value}`); return v; });
      case 'conditional': {
        const [c, t, f] = kids;
        if (!c || !t || !f) throw new Error(`incomplete conditional ${n.meta?.value}`);
        return ev(c) === true ? ev(t) : ev(f);
      }
      case 'binaryOp': {
        const [l, r] = kids.map(ev);
        if (n.meta?.operator === 'equal') return l === r;
        if (n.meta?.operator === 'notEqual') return l !== r;
        throw new Error(`unsupported operator in ${n.meta?.value}`);
      }
      case 'function':
        if (n.meta?.name !== 'concat') throw new Error(`unsupported function ${n.meta?.name}()`);
        return kids.flatMap((k) => { const v = ev(k); if (!Array.isArray(v)) throw new Error(`concat of a non-list: ${k.meta?.value}`); return v; });
      case 'scopeTraversal': {
        const value = n.meta?.value ?? '';
        if (value === 'var.vip_mode') return mode;
        const local = /^local\.([a-z_]+)$/.exec(value);
        if (local?.[1]) return localKinds(local[1]);
        throw new Error(`cannot evaluate ${value}`);
      }
      default:
        throw new Error(`cannot evaluate ${n.type} ${n.meta?.value ?? ''}`);
    }
  };
  return ev(await expressionAst(text));
}

async function awsGrants(tf: TfDir, mode: string): Promise<{ grants: Map<string, Grant>; problems: string[] }> {
  const problems: string[] = [];
  const grants = new Map<string, Grant>();
  const rolePolicies = [...tf.resources].filter(([k]) => k.startsWith('aws_iam_role_policy.'));
  const forbidden = [...tf.resources.keys()].filter((k) => /^aws_iam_(policy|role_policy_attachment|policy_attachment|user|group)/.test(k));
  if (forbidden.length > 0) problems.push(`aws: IAM resources beside the one inline role policy: ${forbidden.join(', ')}`);
  for (const [name, body] of tf.resources) {
    if (name.startsWith('aws_iam_role.') && (body.managed_policy_arns !== undefined || body.inline_policy !== undefined)) problems.push(`aws: ${name} attaches policies of its own`);
  }
  if (rolePolicies.length !== 1) return { grants, problems: [...problems, `aws: expected one aws_iam_role_policy; found ${rolePolicies.length}`] };
  const policy = str(rolePolicies[0]?.[1].policy) ?? '';
  const doc = /^\$\{data\.aws_iam_policy_document\.([a-z_]+)\.json\}$/.exec(policy)?.[1];
  const body = doc ? tf.data.get(`aws_iam_policy_document.${doc}`) : undefined;
  if (!body) return { grants, problems: [...problems, `aws: the role policy is not data.aws_iam_policy_document.NAME.json: ${policy}`] };

  const statements: { body: Body; forEach?: string }[] = [
    ...blocks(body.statement).map((b) => ({ body: b })),
    ...blocks((body.dynamic as Body | undefined)?.statement).map((d) => ({ body: firstBlock(d.content) ?? {}, forEach: str(d.for_each) ?? '' })),
  ];
  for (const s of statements) {
    let sids: string[];
    if (s.forEach !== undefined) {
      const items = await evaluate(s.forEach, tf, mode);
      if (!Array.isArray(items)) throw new Error(`for_each ${s.forEach} is not a list`);
      if (str(s.body.sid) !== '${statement.value}') problems.push(`aws: a dynamic statement's sid must be its for_each value; got ${String(s.body.sid)}`);
      sids = items;
    } else sids = [str(s.body.sid) ?? '(no sid)'];
    const actions = Array.isArray(s.body.actions) ? (s.body.actions as string[]) : [];
    if (!Array.isArray(s.body.actions)) problems.push(`aws: statement ${sids.join(',')}: actions must be a literal list`);
    const rawResources = s.body.resources;
    const kinds = Array.isArray(rawResources)
      ? (rawResources as string[]).map(arnKind)
      : (await evaluate(str(rawResources) ?? '', tf, mode));
    if (!Array.isArray(kinds)) throw new Error(`resources of ${sids.join(',')} is not a list`);
    const conditions = blocks(s.body.condition).map((c) => `${str(c.test)} ${str(c.variable)} ${[...(c.values as string[])].sort().join(',')}`).sort();
    for (const sid of sids) {
      if (grants.has(sid)) problems.push(`aws: mode ${mode}: statement ${sid} appears twice`);
      grants.set(sid, { actions: [...actions].sort(), kinds: [...new Set(kinds)].sort(), conditions, effect: str(s.body.effect) ?? 'Allow' });
    }
  }
  return { grants, problems };
}

/** Per mode: exactly the expected statements, each with the reference's actions and conditions, scoped to a subset of its resources. */
async function awsPolicyProblems(tf: TfDir): Promise<{ problems: string[]; byMode: Record<string, Map<string, Grant>> }> {
  const problems: string[] = [];
  const byMode: Record<string, Map<string, Grant>> = {};
  const reference = new Map(awsReference.Statement.map((s) => [s.Sid, s]));
  const granted = new Set<string>();
  for (const [mode, expected] of Object.entries(AWS_MODE_STATEMENTS)) {
    const { grants, problems: p } = await awsGrants(tf, mode);
    byMode[mode] = grants;
    problems.push(...p);
    const sids = [...grants.keys()].sort();
    if (JSON.stringify(sids) !== JSON.stringify(Object.keys(expected).sort())) problems.push(`aws: mode ${mode}: statements ${sids.join(', ')}; expected ${Object.keys(expected).sort().join(', ')}`);
    for (const [sid, g] of grants) {
      const ref = reference.get(sid);
      if (!ref) {
        problems.push(`aws: mode ${mode}: statement ${sid} is not in deploy/aws/iam-policy.json`);
        continue;
      }
      g.actions.forEach((a) => granted.add(a));
      const refActions = [...ref.Action].sort();
      if (JSON.stringify(g.actions) !== JSON.stringify(refActions)) problems.push(`aws: mode ${mode}: ${sid} grants ${g.actions.join(', ')}; deploy/aws/iam-policy.json has ${refActions.join(', ')}`);
      if (g.effect !== ref.Effect) problems.push(`aws: mode ${mode}: ${sid} effect ${g.effect}, not ${ref.Effect}`);
      const refKinds = [...new Set([ref.Resource].flat().map(arnKind))];
      const wider = g.kinds.filter((k) => !refKinds.includes(k));
      if (wider.length > 0) problems.push(`aws: mode ${mode}: ${sid} reaches ${wider.join(', ')}, which deploy/aws/iam-policy.json does not (${refKinds.join(', ')})`);
      const want = [...(expected[sid] ?? [])].sort();
      if (JSON.stringify(g.kinds) !== JSON.stringify(want)) problems.push(`aws: mode ${mode}: ${sid} is on ${g.kinds.join(', ') || 'nothing'}; expected ${want.join(', ')}`);
      if (JSON.stringify(g.conditions) !== JSON.stringify(conditionKeys(ref.Condition))) problems.push(`aws: mode ${mode}: ${sid} conditions [${g.conditions.join('; ')}]; deploy/aws/iam-policy.json has [${conditionKeys(ref.Condition).join('; ')}]`);
    }
  }
  const expectedActions = awsReference.Statement.filter((s) => !(s.Sid in AWS_NOT_GRANTED)).flatMap((s) => s.Action).sort();
  const missing = expectedActions.filter((a) => !granted.has(a));
  if (missing.length > 0) problems.push(`aws: deploy/aws/iam-policy.json actions the module never grants: ${missing.join(', ')}`);
  for (const s of awsReference.Statement) {
    if (!(s.Sid in AWS_NOT_GRANTED) && !Object.values(AWS_MODE_STATEMENTS).some((m) => s.Sid in m)) problems.push(`aws: deploy/aws/iam-policy.json statement ${s.Sid} is in no mode of the module: add it or say why not (AWS_NOT_GRANTED)`);
  }
  return { problems, byMode };
}

const SELF_SG = '${aws_security_group.vipd.id}';

/** Ingress: the members' own security group, or TCP 22 from var.ssh_ingress_cidrs; never an inline rule or a literal CIDR. */
function awsIngressProblems(tf: TfDir): { problems: string[]; rules: string[] } {
  const problems: string[] = [];
  const rules: string[] = [];
  for (const [name, body] of tf.resources) {
    if (name.startsWith('aws_security_group_rule.')) problems.push(`aws: ${name}: use aws_vpc_security_group_ingress_rule / _egress_rule (one rule per resource)`);
    if (name.startsWith('aws_security_group.') && (body.ingress !== undefined || body.egress !== undefined || body.dynamic !== undefined)) problems.push(`aws: ${name} has inline rules`);
    if (!name.startsWith('aws_vpc_security_group_ingress_rule.')) continue;
    const text = JSON.stringify(body);
    if (/0\.0\.0\.0\/0|::\/0/.test(text)) problems.push(`aws: ${name} opens ingress from everywhere: ${text}`);
    if (body.cidr_ipv6 !== undefined || body.prefix_list_id !== undefined) problems.push(`aws: ${name} takes ingress from ${String(body.cidr_ipv6 ?? body.prefix_list_id)}`);
    const self = body.referenced_security_group_id === SELF_SG && body.security_group_id === SELF_SG && body.cidr_ipv4 === undefined;
    const ssh = body.cidr_ipv4 === '${each.value}' && body.for_each === '${toset(var.ssh_ingress_cidrs)}' && body.from_port === 22 && body.to_port === 22 && body.ip_protocol === 'tcp';
    if (self) rules.push(`${name}: from the members' security group`);
    else if (ssh) rules.push(`${name}: TCP 22 from var.ssh_ingress_cidrs`);
    else problems.push(`aws: ${name} is neither a rule from the members' own security group nor TCP 22 from var.ssh_ingress_cidrs: ${text}`);
  }
  const sshDefault = JSON.stringify(tf.variables.get('ssh_ingress_cidrs')?.default);
  if (sshDefault !== '[]') problems.push(`aws: variable ssh_ingress_cidrs defaults to ${sshDefault}, not [] (SSH must be off by default)`);
  return { problems, rules };
}

// ---------------------------------------------------------------------------------------------
// GCP: the custom role is deploy/gcp/vipd-role.yaml; firewall only between the nodes' accounts

const gcpRole = parseYaml(readFileSync(join(root, 'deploy/gcp/vipd-role.yaml'), 'utf8')) as { includedPermissions: string[] };

function gcpIamProblems(tf: TfDir): { problems: string[]; permissions: string[] } {
  const problems: string[] = [];
  const roles = [...tf.resources].filter(([k]) => k.startsWith('google_project_iam_custom_role.'));
  if (roles.length !== 1) return { problems: [`gcp: expected one google_project_iam_custom_role; found ${roles.length}`], permissions: [] };
  const [roleName, role] = roles[0] as [string, Body];
  const permissions = Array.isArray(role.permissions) ? [...(role.permissions as string[])].sort() : [];
  if (!Array.isArray(role.permissions)) problems.push(`gcp: ${roleName}.permissions must be a literal list`);
  const want = [...gcpRole.includedPermissions].sort();
  const extra = permissions.filter((p) => !want.includes(p));
  const missing = want.filter((p) => !permissions.includes(p));
  if (extra.length > 0) problems.push(`gcp: ${roleName} grants ${extra.join(', ')}, which deploy/gcp/vipd-role.yaml does not`);
  if (missing.length > 0) problems.push(`gcp: ${roleName} lacks ${missing.join(', ')} of deploy/gcp/vipd-role.yaml`);
  const roleRef = `\${${roleName}.id}`;
  const vipdMember = 'serviceAccount:${google_service_account.vipd.email}';
  for (const [name, body] of tf.resources) {
    if (/^google_.*_iam_(binding|policy)\./.test(name)) problems.push(`gcp: ${name}: authoritative IAM (binding/policy) replaces others' grants; use _iam_member`);
    if (name.startsWith('google_project_iam_member.') && !(body.role === roleRef && body.member === vipdMember)) problems.push(`gcp: ${name} grants ${String(body.role)} to ${String(body.member)}; only ${roleRef} to the members' account is allowed`);
    if (name.startsWith('google_service_account_iam_member.') && !(body.role === 'roles/iam.serviceAccountUser' && body.service_account_id === '${google_service_account.vipd.name}' && body.member === vipdMember)) {
      problems.push(`gcp: ${name} grants ${String(body.role)} on ${String(body.service_account_id)} to ${String(body.member)}; only actAs of the members' account on itself is allowed`);
    }
    if (/_iam_/.test(name) && !/^google_(project_iam_(member|custom_role)|service_account_iam_member)\./.test(name)) problems.push(`gcp: ${name}: an IAM grant this check does not know`);
  }
  const account = (name: string) => str(firstBlock(tf.resources.get(name)?.service_account)?.email);
  if (account('google_compute_instance.member') !== '${google_service_account.vipd.email}') problems.push(`gcp: the members run as ${String(account('google_compute_instance.member'))}, not the vipd account`);
  if (account('google_compute_instance.witness') !== '${google_service_account.witness.email}') problems.push(`gcp: the witness runs as ${String(account('google_compute_instance.witness'))}, not its own role-less account`);
  return { problems, permissions };
}

function gcpFirewallProblems(tf: TfDir): { problems: string[]; rules: string[] } {
  const problems: string[] = [];
  const rules: string[] = [];
  for (const [name, body] of tf.resources) {
    if (!name.startsWith('google_compute_firewall.')) continue;
    const text = JSON.stringify(body);
    if ((str(body.direction) ?? 'INGRESS') !== 'INGRESS') continue;
    if (/0\.0\.0\.0\/0|::\/0/.test(text)) problems.push(`gcp: ${name} opens ingress from everywhere: ${text}`);
    if (body.target_service_accounts !== '${local.node_service_accounts}') problems.push(`gcp: ${name} applies to ${String(body.target_service_accounts ?? body.target_tags ?? 'every instance')}, not the nodes' accounts`);
    if (body.source_tags !== undefined) problems.push(`gcp: ${name} trusts source tags (anyone who can tag an instance joins): use source_service_accounts`);
    const fromNodes = body.source_service_accounts === '${local.node_service_accounts}' && body.source_ranges === undefined;
    const allow = blocks(body.allow);
    const ssh = body.source_ranges === '${var.ssh_source_ranges}' && body.count === '${length(var.ssh_source_ranges) > 0 ? 1 : 0}'
      && allow.length === 1 && allow[0]?.protocol === 'tcp' && JSON.stringify(allow[0]?.ports) === '["22"]';
    if (fromNodes) rules.push(`${name}: from the nodes' service accounts`);
    else if (ssh) rules.push(`${name}: TCP 22 from var.ssh_source_ranges`);
    else problems.push(`gcp: ${name} is neither from the nodes' service accounts nor TCP 22 from var.ssh_source_ranges: ${text}`);
  }
  const sshDefault = JSON.stringify(tf.variables.get('ssh_source_ranges')?.default);
  if (sshDefault !== '[]') problems.push(`gcp: variable ssh_source_ranges defaults to ${sshDefault}, not [] (SSH must be off by default)`);
  return { problems, rules };
}

// ---------------------------------------------------------------------------------------------
// Rendering a node's script and loading the vipd.yaml it writes

const CLUSTER = 'shop';
const NODES = { a: 'shop-a', b: 'shop-b', witness: 'shop-witness' } as const;
const ADVERT_KEY = Buffer.from('vipd terraform test advert key!!').toString('base64');
const DEB = { vipd_deb_url: 'https://downloads.example.com/vipd/vipd_0.2.0_amd64.deb', vipd_deb_sha256: 'ab'.repeat(32) };

/** One provider option as a module passes it to vipd-node-config: text, a list of text, or null (left out). */
type OptionValue = string | readonly string[] | null;

/** What each cloud module passes as a member's provider_options (member a, whose peer is b), per vip_mode. */
function providerOptions(module: ModuleName, mode: string): Record<string, OptionValue> {
  if (module === 'aws-vip-pair') {
    return { mode, region: 'eu-west-1', eni_id: 'eni-0123456789abcdef0', allocation_id: mode === 'eip' ? 'eipalloc-0123456789abcdef0' : null };
  }
  return {
    mode, project: 'shop-project', zone: 'europe-west1-b', instance: NODES.a, instances: [`europe-west1-c/${NODES.b}`],
    subnetwork_range_name: mode === 'alias-ip' ? 'vips' : null, address: mode === 'external-ip' ? 'shop-vip' : null,
  };
}

/** Terraform's jsonencode of text or a list of text: JSON, with <, >, &, U+2028 and U+2029 escaped. */
const jsonencode = (value: string | readonly string[]) =>
  JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** vipd-node-config's local.provider_options for one member: each value jsonencode()d, the null ones left out. */
const encodeOptions = (options: Readonly<Record<string, OptionValue>>): Record<string, string> =>
  Object.fromEntries(Object.entries(options).flatMap(([k, v]) => (v === null ? [] : [[k, jsonencode(v)]])));

/** Each cloud module's vip_mode values. */
const MODES: Record<ModuleName, readonly string[]> = { 'aws-vip-pair': ['eip', 'secondary-ip'], 'gcp-vip-pair': ['alias-ip', 'external-ip'] };
const PROVIDER_TYPE: Record<ModuleName, string> = { 'aws-vip-pair': 'aws', 'gcp-vip-pair': 'gcp' };
const VIP: Record<string, string> = { eip: '203.0.113.10', 'secondary-ip': '192.0.2.50', 'alias-ip': '192.0.2.50', 'external-ip': '203.0.113.10' };

/**
 * What vipd-node-config's templatefile() passes the member template for member a of `module`
 * (numbers and bools become their text, as in templatefile()); `options` replaces provider options.
 */
function memberVars(module: ModuleName, mode: string, options: Readonly<Record<string, OptionValue>> = {}): Record<string, TemplateValue> {
  return {
    cluster_id: CLUSTER, node_id: NODES.a, node_address: '192.0.2.11', grpc_port: '7946', seeds: '192.0.2.12:7946, 198.51.100.13:7946',
    timing: 'lan', bfd_enabled: 'true', bfd_mode: 'multihop', advert_key_id: 'k1', group_name: 'vip', vrid: '51', priority: '150',
    interface: module === 'aws-vip-pair' ? 'ens5' : 'ens4', vip: VIP[mode] ?? '?', peer_id: NODES.b, witness_id: NODES.witness,
    provider_type: PROVIDER_TYPE[module], provider_options: encodeOptions({ ...providerOptions(module, mode), ...options }),
  };
}

const witnessVars: Record<string, string> = {
  cluster_id: CLUSTER, node_id: NODES.witness, node_address: '198.51.100.13', grpc_port: '7946', seeds: '192.0.2.11:7946, 192.0.2.12:7946',
  timing: 'lan', bfd_enabled: 'true', bfd_mode: 'multihop', advert_key_id: 'k1', allow: `${NODES.a}, ${NODES.b}`,
};

const BOOT_SCRIPT = 'templates/boot-script.sh.tftpl';
const MEMBER_YAML = 'templates/vipd-member.yaml.tftpl';
const WITNESS_YAML = 'templates/vipd-witness.yaml.tftpl';
/** A template of vipd-node-config: the only templates there are. */
const template = (file: string) => readFileSync(join(TERRAFORM, SHARED, file), 'utf8');

let pkiPromise: Promise<TestPki> | undefined;
const pki = () => (pkiPromise ??= makeTestPki({ clusterId: CLUSTER, nodes: Object.values(NODES) }));

const scratch = mkdtempSync(join(tmpdir(), 'vipd-terraform-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

interface RenderedNode {
  readonly script: string;
  /** /etc/vipd/... -> mode and content, as the script writes them. */
  readonly files: Map<string, { mode: number; content: string }>;
  readonly dir: string;
}

/** The files the script writes with `write PATH MODE <<'VIPD_EOF'`, as the shell would write them. */
function writtenFiles(script: string): Map<string, { mode: number; content: string }> {
  const files = new Map<string, { mode: number; content: string }>();
  for (const m of script.matchAll(/^write (\/etc\/vipd\/\S+) (0[0-7]{3}) <<'VIPD_EOF'\n([\s\S]*?)^VIPD_EOF$/gm)) {
    files.set(m[1] ?? '', { mode: Number.parseInt(m[2] ?? '0', 8), content: m[3] ?? '' });
  }
  return files;
}

async function renderNode(module: ModuleName, node: 'a' | 'witness', vipdYaml: string): Promise<RenderedNode> {
  const p = await pki();
  const pair = p.node(NODES[node]);
  const script = renderTemplate(template(BOOT_SCRIPT), {
    ...DEB, vipd_yaml: vipdYaml, ca_certificate: p.ca.cert.trim(), node_certificate: pair.cert.trim(), node_private_key: pair.key.trim(), advert_key: ADVERT_KEY,
  });
  const dir = mkdtempSync(join(scratch, `${module}-${node}-`));
  const files = writtenFiles(script);
  for (const [path, f] of files) {
    const target = join(dir, path.slice('/etc/vipd/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode });
  }
  return { script, files, dir };
}

const REGISTRY = { providers: PROVIDER_PLUGINS } as const;

function loadWritten(node: RenderedNode) {
  const file = join(node.dir, 'vipd.yaml');
  return parseConfigText(readFileSync(file, 'utf8'), file, REGISTRY);
}

// ---------------------------------------------------------------------------------------------

const shared = await loadShared();
const loaded = Object.fromEntries(await Promise.all(MODULES.map(async (m) => [m, await load(m)] as const))) as Record<ModuleName, Loaded>;

/** Where each cloud module puts a node's boot script, and what it must read. */
const BOOT_SCRIPT_USE: Record<ModuleName, readonly [string, string, string][]> = {
  'aws-vip-pair': [
    ['aws_instance.member', 'user_data', 'module.node_config.boot_scripts[each.key]'],
    ['aws_instance.witness', 'user_data', 'module.node_config.boot_scripts.witness'],
  ],
  'gcp-vip-pair': [
    ['google_compute_instance.member', 'metadata', 'startup-script = module.node_config.boot_scripts[each.key]'],
    ['google_compute_instance.witness', 'metadata', 'startup-script = module.node_config.boot_scripts.witness'],
  ],
};
/** The rules that open vipd's ports between the nodes: one per entry of module.node_config.peer_ports. */
const PEER_RULES: Record<ModuleName, readonly string[]> = {
  'aws-vip-pair': ['aws_vpc_security_group_ingress_rule.peer', 'aws_vpc_security_group_egress_rule.peer'],
  'gcp-vip-pair': ['google_compute_firewall.peer'],
};

describe(`deploy/terraform/${SHARED}: the nodes' vipd.yaml and boot script, shared by both cloud modules`, () => {
  const { tf, problems } = shared;

  it('every .tf file parses (HashiCorp HCL); it makes no resources and needs no provider', () => {
    noProblems(problems);
    for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) assert.ok(tf.files.includes(f), `${SHARED}: no ${f}; has ${tf.files.join(', ')}`);
    assert.ok(existsSync(join(TERRAFORM, SHARED, 'README.md')), `${SHARED}: no README.md`);
    assert.deepEqual([...tf.resources.keys(), ...tf.data.keys(), ...tf.providers.keys(), ...tf.modules.keys()], []);
    noProblems(pinProblems(tf, SHARED));
  });

  it('every variable and output is described and typed; secrets are sensitive, and so is every output that reads one', async () => {
    noProblems([...declarationProblems(tf, SHARED), ...(await sensitiveProblems(tf, SHARED))]);
    assert.equal(tf.outputs.get('boot_scripts')?.sensitive, true);
    assert.equal(tf.outputs.get('vipd_configs')?.sensitive, undefined, 'vipd.yaml names the key files and holds no secret: it need not be hidden');
  });

  it('every variable but a bool is validated: the cloud modules pass the user\'s values on and leave the checks to it', () => {
    const unvalidated = [...tf.variables].filter(([, v]) => v.validation === undefined && !UNVALIDATED_TYPES.has(String(v.type))).map(([n]) => n);
    noProblems(unvalidated.map((n) => `${SHARED}: variable ${n} has no validation`));
  });

  it('every var and local reference exists; every variable and local is used', async () => {
    noProblems(await referenceProblems(tf, SHARED));
  });

  it('templatefile() paths exist and pass exactly the names each template uses; no template is left over', async () => {
    const { problems: found, calls } = await templateProblems(tf, SHARED);
    noProblems(found);
    const templates = [...new Set(calls.map((c) => c.template))].sort();
    assert.deepEqual(templates, [BOOT_SCRIPT, MEMBER_YAML, WITNESS_YAML].sort(), `templatefile() calls found: ${JSON.stringify(calls)}`);
    const onDisk = readdirSync(join(TERRAFORM, SHARED, 'templates')).map((f) => `templates/${f}`).sort();
    assert.deepEqual(onDisk, templates, 'a template nothing renders, or one that is missing');
  });

  it('peer_ports: gRPC on grpc_port (TCP), BFD on RFC 5881/5883\'s port (UDP)', () => {
    const ports = str(tf.locals.get('peer_ports')) ?? '';
    for (const want of ['var.grpc_port', String(BFD_SINGLE_HOP_PORT), String(BFD_MULTIHOP_PORT), '"tcp"', '"udp"']) assert.ok(ports.includes(want), `local.peer_ports lacks ${want}: ${ports}`);
    assert.equal(tf.outputs.get('peer_ports')?.value, '${local.peer_ports}');
  });

  it('the README names every input and output, and says the cloud modules find it by ../ from a git subdirectory too', () => {
    const readme = readFileSync(join(TERRAFORM, SHARED, 'README.md'), 'utf8');
    const missing = [...tf.variables.keys(), ...tf.outputs.keys()].filter((n) => !readme.includes(`| \`${n}\` |`));
    noProblems(missing.map((n) => `${SHARED}/README.md has no row for \`${n}\``));
    assert.match(readme, /\/\/deploy\/terraform\/aws-vip-pair/);
  });
});

for (const name of MODULES) {
  describe(`deploy/terraform/${name}`, () => {
    const { module, example, problems } = loaded[name];

    it('every .tf file of the module and the example parses (HashiCorp HCL)', () => {
      noProblems(problems);
      for (const f of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) assert.ok(module.files.includes(f), `${name}: no ${f}; has ${module.files.join(', ')}`);
      assert.ok(example.files.includes('main.tf'), `${name}/${EXAMPLE}: no main.tf`);
      assert.ok(existsSync(join(TERRAFORM, name, 'README.md')), `${name}: no README.md`);
    });

    it('every variable and output is described and typed; secrets are sensitive, and so is every output that reads one', async () => {
      noProblems([
        ...declarationProblems(module, name), ...declarationProblems(example, `${name}/${EXAMPLE}`),
        ...(await sensitiveProblems(module, name, childrenOf(module, [shared.tf]))), ...(await sensitiveProblems(example, `${name}/${EXAMPLE}`, childrenOf(example, [module]))),
      ]);
      assert.ok(module.variables.size >= 20, `${name}: only ${module.variables.size} variables found`);
    });

    it('every var, local, resource, data and module reference exists; every variable and local is used', async () => {
      const found = [...(await referenceProblems(module, name, childrenOf(module, [shared.tf]))), ...(await referenceProblems(example, `${name}/${EXAMPLE}`, childrenOf(example, [module])))];
      noProblems(found);
    });

    it(`calls ${SHARED} by "${SHARED_SOURCE}" with every variable it requires and nothing it does not declare`, () => {
      noProblems(moduleCallProblems(module, shared.tf, name, SHARED_SOURCE));
      assert.equal(str(module.modules.get('node_config')?.source), SHARED_SOURCE, 'a relative source: it resolves inside the fetched repository, from a git //subdirectory too');
    });

    it(`the user's vipd settings are passed on unchanged (same type and sensitivity) and validated by ${SHARED} alone; every other input is validated here`, () => {
      const { problems: found, passed } = passThroughProblems(module, shared.tf, name, SHARED_SOURCE);
      noProblems(found);
      assert.ok(passed.length >= 15, `only ${passed.length} variables passed on: ${passed.join(', ')}`);
    });

    it(`renders no template of its own: the boot script is ${SHARED}'s, and so are the peer ports`, async () => {
      const { problems: found, calls } = await templateProblems(module, name);
      noProblems(found);
      assert.deepEqual(calls, [], 'templatefile() calls in the module');
      assert.ok(!existsSync(join(TERRAFORM, name, 'templates')), `${name}/templates: the templates are ${SHARED}'s`);
      for (const [resource, attribute, want] of BOOT_SCRIPT_USE[name]) {
        const text = JSON.stringify(module.resources.get(resource)?.[attribute] ?? null);
        assert.ok(text.includes(want), `${resource}.${attribute} does not read ${want}: ${text}`);
      }
      for (const rule of PEER_RULES[name]) assert.equal(module.resources.get(rule)?.for_each, '${module.node_config.peer_ports}', rule);
    });

    it('the README names every input and output, and where the shared module comes from', () => {
      const readme = readFileSync(join(TERRAFORM, name, 'README.md'), 'utf8');
      const missing = [...module.variables.keys(), ...module.outputs.keys()].filter((n) => !readme.includes(`| \`${n}\` |`));
      noProblems(missing.map((n) => `${name}/README.md has no row for \`${n}\``));
      assert.ok(readme.includes(SHARED_SOURCE) && readme.includes(`//deploy/terraform/${name}`), `${name}/README.md does not say that it needs ${SHARED_SOURCE} beside it (git //subdirectory)`);
    });

    it('providers are pinned; the example calls the module with every required variable', () => {
      noProblems([...pinProblems(module, name), ...pinProblems(example, `${name}/${EXAMPLE}`), ...exampleProblems(example, module, `${name}/${EXAMPLE}`)]);
    });

    it('gRPC defaults to vipd\'s port', () => {
      assert.equal(module.variables.get('grpc_port')?.default, Number(DEFAULT_LISTEN.split(':')[1]));
    });

    it('the provider options it passes are the ones the rendering below uses', async () => {
      const text = str(module.modules.get('node_config')?.provider_options) ?? '';
      const objects = await objectKeysIn(text);
      assert.equal(objects.length, 1, `provider_options: one object per member expected: ${text}`);
      assert.deepEqual([...(objects[0] ?? [])].sort(), Object.keys(providerOptions(name, MODES[name][0] ?? '')).sort());
      assert.equal(module.modules.get('node_config')?.provider_type, PROVIDER_TYPE[name]);
    });
  });
}

describe('deploy/terraform/aws-vip-pair: IAM and security group', () => {
  const { module } = loaded['aws-vip-pair'];

  it('the role policy is deploy/aws/iam-policy.json, statement by statement, per vip_mode', async () => {
    const { problems, byMode } = await awsPolicyProblems(module);
    noProblems(problems);
    assert.deepEqual([...(byMode.eip?.get('VipdElasticIp')?.actions ?? [])], ['ec2:AssociateAddress', 'ec2:DisassociateAddress']);
    assert.deepEqual([...(byMode['secondary-ip']?.get('VipdFenceTags')?.kinds ?? [])], ['network-interface']);
  });

  it('the role trusts EC2 only; the witness has no instance profile', () => {
    const trust = module.data.get('aws_iam_policy_document.assume_ec2');
    const statement = firstBlock(trust?.statement);
    assert.deepEqual(statement?.actions, ['sts:AssumeRole']);
    assert.deepEqual(firstBlock(statement?.principals)?.type, 'Service');
    assert.equal(module.resources.get('aws_iam_role.vipd')?.assume_role_policy, '${data.aws_iam_policy_document.assume_ec2.json}');
    assert.equal(module.resources.get('aws_instance.member')?.iam_instance_profile, '${aws_iam_instance_profile.vipd.name}');
    assert.equal(module.resources.get('aws_instance.witness')?.iam_instance_profile, undefined, 'the witness must not get the role');
  });

  it('ingress only from the members\' own security group, and SSH only from ssh_ingress_cidrs (default none)', () => {
    const { problems, rules } = awsIngressProblems(module);
    noProblems(problems);
    assert.deepEqual(rules.sort(), [
      'aws_vpc_security_group_ingress_rule.peer: from the members\' security group',
      'aws_vpc_security_group_ingress_rule.ssh: TCP 22 from var.ssh_ingress_cidrs',
    ]);
  });

  it('the example keeps Terraform off vipd\'s fence tags', () => {
    const provider = loaded['aws-vip-pair'].example.providers.get('aws');
    assert.deepEqual(firstBlock(provider?.ignore_tags)?.key_prefixes, ['vipd:fence:'], JSON.stringify(provider));
  });
});

describe('deploy/terraform/gcp-vip-pair: IAM and firewall', () => {
  const { module } = loaded['gcp-vip-pair'];

  it('the custom role is exactly deploy/gcp/vipd-role.yaml, held by the members\' account only', () => {
    const { problems, permissions } = gcpIamProblems(module);
    noProblems(problems);
    assert.equal(permissions.length, gcpRole.includedPermissions.length);
  });

  it('ingress only between the nodes\' service accounts, and SSH only from ssh_source_ranges (default none)', () => {
    const { problems, rules } = gcpFirewallProblems(module);
    noProblems(problems);
    assert.deepEqual(rules.sort(), [
      'google_compute_firewall.peer: from the nodes\' service accounts',
      'google_compute_firewall.ssh: TCP 22 from var.ssh_source_ranges',
    ]);
  });
});

const EXPECTED_FILES = ['/etc/vipd/advert.key', '/etc/vipd/tls/ca.crt', '/etc/vipd/tls/node.crt', '/etc/vipd/tls/node.key', '/etc/vipd/vipd.yaml'];

for (const name of MODULES) {
  describe(`deploy/terraform/${name}: the script ${SHARED} renders with its options, and the vipd.yaml it writes`, () => {
    for (const mode of MODES[name]) {
      it(`member, mode ${mode}: bash parses the script, vipd loads its vipd.yaml, the TLS files are this node's`, async () => {
        const memberTemplate = template(MEMBER_YAML);
        const vars = memberVars(name, mode);
        assert.deepEqual(Object.keys(vars).sort(), templateNames(memberTemplate).sort(), 'the sample values and the template\'s names differ');
        const node = await renderNode(name, 'a', renderTemplate(memberTemplate, vars));
        execFileSync('bash', ['-n'], { input: node.script });
        assert.deepEqual([...node.files.keys()].sort(), EXPECTED_FILES, 'files the script writes');
        assert.equal(node.files.get('/etc/vipd/tls/node.key')?.mode, 0o600);
        assert.equal(node.files.get('/etc/vipd/advert.key')?.mode, 0o600);
        if (name === 'aws-vip-pair') assert.ok(Buffer.byteLength(node.script) <= 16_384, `user data is ${Buffer.byteLength(node.script)} bytes; EC2 takes at most 16384`);

        const result = loadWritten(node);
        assert.ok(result.ok, result.ok ? '' : report(result.errors.map((e) => `${e.path}${e.line ? ` (line ${e.line})` : ''}: ${e.message}`)));
        noProblems(result.warnings.map((w) => `warning ${w.path}: ${w.message}`));
        const config = result.config;
        assert.equal(config.clusterId, CLUSTER);
        assert.equal(config.node.id, NODES.a);
        assert.equal(config.node.listen, '192.0.2.11:7946');
        assert.deepEqual(config.seeds, ['192.0.2.12:7946', '198.51.100.13:7946']);
        assert.deepEqual(config.bfd && { enabled: config.bfd.enabled, mode: config.bfd.mode }, { enabled: true, mode: 'multihop' });
        assert.deepEqual(config.auth?.keys.map((k) => k.secret.toString()), ['vipd terraform test advert key!!']);
        const written = parseYaml(node.files.get('/etc/vipd/vipd.yaml')?.content ?? '') as { groups: { vips: string[]; provider: Record<string, unknown> }[] };
        assert.deepEqual(written.groups[0]?.vips, [`${VIP[mode] ?? '?'}/32`]);
        const passed = Object.entries(providerOptions(name, mode)).filter(([, v]) => v !== null).map(([k]) => k);
        assert.deepEqual(Object.keys(written.groups[0]?.provider ?? {}).sort(), ['type', ...passed].sort(), 'the provider block: its type and every option that is not null');
        const [group] = config.groups;
        assert.equal(group?.providers.length, 1);
        const provider = group?.providers[0];
        const options = provider?.options as Record<string, unknown>;
        if (name === 'aws-vip-pair') {
          assert.equal(provider?.type, 'aws');
          assert.equal(options.mode, mode);
          assert.equal(options.region, 'eu-west-1');
          assert.equal(options.eniId, 'eni-0123456789abcdef0');
          assert.equal(options.allocationId, mode === 'eip' ? 'eipalloc-0123456789abcdef0' : undefined);
        } else {
          assert.equal(provider?.type, 'gcp');
          assert.equal(options.mode, mode);
          assert.equal(options.instance, NODES.a);
          assert.deepEqual(options.instances, [`europe-west1-c/${NODES.b}`]);
          assert.equal(options.address, mode === 'external-ip' ? 'shop-vip' : undefined);
          assert.equal(options.subnetworkRangeName, mode === 'alias-ip' ? 'vips' : undefined);
        }
        assert.ok(config.tls, 'no tls in the loaded configuration');
        await loadTlsFiles(config.tls, { expect: { clusterId: CLUSTER, nodeId: NODES.a } });
      });
    }

    it('witness: vipd loads its vipd.yaml (role witness, no groups, allow = the members)', async () => {
      const witnessTemplate = template(WITNESS_YAML);
      assert.deepEqual(Object.keys(witnessVars).sort(), templateNames(witnessTemplate).sort());
      const node = await renderNode(name, 'witness', renderTemplate(witnessTemplate, witnessVars));
      execFileSync('bash', ['-n'], { input: node.script });
      const result = loadWritten(node);
      assert.ok(result.ok, result.ok ? '' : report(result.errors.map((e) => `${e.path}: ${e.message}`)));
      noProblems(result.warnings.map((w) => `warning ${w.path}: ${w.message}`));
      assert.equal(result.config.node.role, 'witness');
      assert.deepEqual(result.config.groups, []);
      assert.deepEqual(result.config.tls?.allow, [NODES.a, NODES.b]);
      assert.ok(result.config.tls);
      await loadTlsFiles(result.config.tls, { expect: { clusterId: CLUSTER, nodeId: NODES.witness } });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The checks can fail: each break below is reported.

/** Replaces `from` (which must occur) in a file. */
const edit = (from: string, to: string) => (text: string) => {
  assert.ok(text.includes(from), `the test's edit does not apply: ${JSON.stringify(from)} is not in the file`);
  return text.replace(from, to);
};

const matching = (problems: readonly string[], pattern: RegExp) => assert.ok(problems.some((p) => pattern.test(p)), `expected a problem matching ${pattern}; got:\n  ${problems.join('\n  ') || '(none)'}`);

describe('deploy/terraform: each check reports a break', () => {
  it('a file that does not parse is named', async () => {
    const { problems } = await load('aws-vip-pair', { 'outputs.tf': (t) => `${t}\noutput "broken" {\n` });
    matching(problems, /^aws-vip-pair\/outputs\.tf: does not parse/);
  });

  it('an undeclared variable, an unused one, a missing description, an unknown resource', async () => {
    const { module } = await load('aws-vip-pair', {
      'main.tf': (t) => edit('vip_interface    = var.vip_interface', 'vip_interface    = var.vip_iface')(edit('vpc_id      = local.vpc_id', 'vpc_id      = aws_vpc.nope.id')(edit('locals {\n  members = {', 'locals {\n  spare = 1\n  members = {')(t))),
      'variables.tf': edit('  description = "vipd timing preset: lan (fine between the zones of one region) or wan."\n', ''),
    });
    const found = await referenceProblems(module, 'aws', childrenOf(module, [shared.tf]));
    matching(found, /var\.vip_iface is not declared/);
    matching(found, /variable vip_interface is declared but never used/);
    matching(found, /local spare is defined but never used/);
    matching(found, /no resource aws_vpc\.nope/);
    matching(declarationProblems(module, 'aws'), /variable timing has no description/);
  });

  it('a template name that is not passed, and a name passed but not used', async () => {
    const { tf } = await loadShared({ 'main.tf': edit('      peer_id          = var.node_ids[peer]\n', '      peer_ids = var.node_ids[peer]\n') });
    const { problems } = await templateProblems(tf, SHARED);
    matching(problems, /vipd-member\.yaml\.tftpl uses \$\{peer_id\}, which templatefile\(\) does not pass/);
    matching(problems, /passes peer_ids, which templates\/vipd-member\.yaml\.tftpl does not use/);
  });

  it('a call of vipd-node-config that leaves out a variable it requires, passes one it does not declare, or reads an output it lacks', async () => {
    const { module } = await load('aws-vip-pair', {
      'main.tf': (t) => edit('  advert_key_id    = var.advert_key_id\n}', '  advert_key_ids = var.advert_key_id\n}')(edit('module.node_config.boot_scripts.witness', 'module.node_config.boot_script.witness')(t)),
    });
    const calls = moduleCallProblems(module, shared.tf, 'aws', SHARED_SOURCE);
    matching(calls, /module node_config does not pass advert_key_id, which has no default/);
    matching(calls, /module node_config passes advert_key_ids, which \.\.\/vipd-node-config does not declare/);
    matching(await referenceProblems(module, 'aws', childrenOf(module, [shared.tf])), /module\.node_config\.boot_script\.witness: module node_config has no output boot_script/);
  });

  it('a variable passed on with another type, with a validation of its own, or one validated nowhere', async () => {
    const { module } = await load('gcp-vip-pair', {
      'variables.tf': (t) => edit('  description = "The group\'s VRID (groups[].vrid), 1-255."\n  type        = number', '  description = "The group\'s VRID (groups[].vrid), 1-255."\n  type        = string')(
        edit('  type        = string\n  default     = "k1"\n', '  type        = string\n  default     = "k1"\n\n  validation {\n    condition     = length(var.advert_key_id) > 0\n    error_message = "advert_key_id is empty."\n  }\n')(
          edit('  validation {\n    condition     = length(var.network) > 0\n    error_message = "network must be a network name or self link."\n  }\n', '')(t))),
    });
    const { problems } = passThroughProblems(module, shared.tf, 'gcp', SHARED_SOURCE);
    matching(problems, /variable vrid is \$\{string\}, but \.\.\/vipd-node-config takes \$\{number\}/);
    matching(problems, /variable advert_key_id has a validation of its own/);
    matching(problems, /variable network is validated nowhere/);
  });

  it('an output that reads a secret without sensitive = true', async () => {
    const { tf } = await loadShared({ 'outputs.tf': edit('  value       = local.boot_scripts\n  sensitive   = true\n', '  value       = local.boot_scripts\n') });
    matching(await sensitiveProblems(tf, SHARED), /output boot_scripts reads local\.boot_scripts, a sensitive value, and is not sensitive = true/);
  });

  it('an example that leaves out a required variable or passes an unknown one', async () => {
    const { module, example } = await load('aws-vip-pair', { 'examples/basic/main.tf': edit('  cluster_id        = "shop"\n', '  cluster = "shop"\n') });
    const found = exampleProblems(example, module, 'example');
    matching(found, /does not pass cluster_id, which has no default/);
    matching(found, /passes cluster, which the module \(\.\.\/\.\.\) does not declare/);
  });

  it('an IAM action or resource beyond deploy/aws/iam-policy.json', async () => {
    const { module } = await load('aws-vip-pair', {
      'main.tf': (t) => edit('actions   = ["ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]', 'actions   = ["ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses", "ec2:DeleteRoute"]')(
        edit('resources = var.vip_mode == "eip" ? local.eip_arns : local.eni_arns', 'resources = var.vip_mode == "eip" ? concat(local.eip_arns, local.instance_arns) : local.eni_arns')(t)),
    });
    const { problems } = await awsPolicyProblems(module);
    matching(problems, /mode secondary-ip: VipdSecondaryIp grants ec2:AssignPrivateIpAddresses, ec2:DeleteRoute, ec2:UnassignPrivateIpAddresses/);
    matching(problems, /mode eip: VipdFenceTags reaches instance, which deploy\/aws\/iam-policy\.json does not/);
  });

  it('ingress from everywhere, and SSH open by default', async () => {
    const { module } = await load('aws-vip-pair', {
      'main.tf': edit('  cidr_ipv4         = each.value\n  ip_protocol       = "tcp"\n  from_port         = 22', '  cidr_ipv4         = "0.0.0.0/0"\n  ip_protocol       = "tcp"\n  from_port         = 22'),
      'variables.tf': edit('  type        = list(string)\n  default     = []\n\n  validation {\n    condition     = alltrue([for c in var.ssh_ingress_cidrs', '  type        = list(string)\n  default     = ["0.0.0.0/0"]\n\n  validation {\n    condition     = alltrue([for c in var.ssh_ingress_cidrs'),
    });
    const { problems } = awsIngressProblems(module);
    matching(problems, /aws_vpc_security_group_ingress_rule\.ssh opens ingress from everywhere/);
    matching(problems, /ssh_ingress_cidrs defaults to \["0\.0\.0\.0\/0"\]/);
  });

  it('a GCP role that differs from deploy/gcp/vipd-role.yaml, a tag-based or open firewall rule', async () => {
    const { module } = await load('gcp-vip-pair', {
      'main.tf': (t) => edit('    "compute.routes.list",\n', '    "compute.instances.delete",\n')(
        edit('  source_service_accounts = local.node_service_accounts\n', '  source_ranges = ["0.0.0.0/0"]\n  source_tags   = ["vipd"]\n')(t)),
    });
    const iam = gcpIamProblems(module).problems;
    matching(iam, /grants compute\.instances\.delete, which deploy\/gcp\/vipd-role\.yaml does not/);
    matching(iam, /lacks compute\.routes\.list/);
    const firewall = gcpFirewallProblems(module).problems;
    matching(firewall, /google_compute_firewall\.peer opens ingress from everywhere/);
    matching(firewall, /trusts source tags/);
  });

  it('vipd\'s loader refuses a configuration the template would write with a wrong value', async () => {
    const vars = { ...memberVars('aws-vip-pair', 'eip', { allocation_id: 'eipalloc-nothex' }), vrid: '300' };
    const node = await renderNode('aws-vip-pair', 'a', renderTemplate(template(MEMBER_YAML), vars));
    const result = loadWritten(node);
    assert.ok(!result.ok, 'a vrid of 300 and a malformed allocation id were accepted');
    const paths = result.errors.map((e) => e.path);
    assert.ok(paths.includes('groups[0].vrid') && paths.includes('groups[0].provider.allocation_id'), report(result.errors.map((e) => `${e.path}: ${e.message}`)));
  });

  it('the renderer follows Terraform: ~} strips the rest of its line only, escapes stay literal, unknown names throw, a map is iterated by key', () => {
    const t = 'a:\n%{ if m == "x" ~}\n  b: ${v}\n%{ else ~}\n  c: 1\n%{ endif ~}\nd: $${HOME} %%{x}\n';
    assert.equal(renderTemplate(t, { m: 'x', v: '2' }), 'a:\n  b: 2\nd: ${HOME} %{x}\n');
    assert.equal(renderTemplate(t, { m: 'y', v: '2' }), 'a:\n  c: 1\nd: ${HOME} %{x}\n');
    assert.throws(() => renderTemplate(t, { m: 'x' }), /template variable v has no value/);
    assert.throws(() => templateNames('${upper(x)}'), /unsupported interpolation/);
    const loop = 'p:\n%{ for k, v in m ~}\n  ${k}: ${v}\n%{ endfor ~}\nq: ${x}\n';
    assert.equal(renderTemplate(loop, { m: { b: '"2"', a: '[1]' }, x: '3' }), 'p:\n  a: [1]\n  b: "2"\nq: 3\n');
    assert.deepEqual(templateNames(loop), ['m', 'x'], 'the loop\'s own symbols are not template variables');
    assert.throws(() => renderTemplate('${m}', { m: { a: '1' } }), /is a map/);
    assert.throws(() => templateNames('%{ for v in m }x'), /missing/);
  });
});
