/**
 * The JSON world description serve.ts starts from (and tests may reuse): instances with their
 * ENIs, Elastic IP allocations (optionally associated), route tables. Validated strictly, so a
 * typo in a demo or bench world names its file and field instead of starting a wrong world.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Ec2Fake, FakeInstance } from './index.js';

const eni = z.object({
  eniId: z.string().startsWith('eni-').optional(),
  mac: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/).optional(),
  subnetId: z.string().startsWith('subnet-').optional(),
  privateIp: z.string(),
  secondaryIps: z.array(z.string()).optional(),
}).strict();

export const worldSchema = z.object({
  region: z.string().optional(),
  seed: z.number().int().optional(),
  latencyMs: z.number().nonnegative().optional(),
  credentials: z.array(z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).strict()).optional(),
  implicitReassociation: z.enum(['refuse', 'allow']).optional(),
  instances: z.array(z.object({
    instanceId: z.string().startsWith('i-').optional(),
    az: z.string().optional(),
    enis: z.array(eni).min(1),
    /** Start an IMDS server for it (default true). */
    imds: z.boolean().optional(),
  }).strict()).default([]),
  addresses: z.array(z.object({
    allocationId: z.string().startsWith('eipalloc-').optional(),
    publicIp: z.string(),
    associateWith: z.object({ eniId: z.string(), privateIp: z.string().optional() }).strict().optional(),
  }).strict()).default([]),
  routeTables: z.array(z.object({
    routeTableId: z.string().startsWith('rtb-').optional(),
    routes: z.array(z.object({ cidr: z.string(), eniId: z.string().optional(), instanceId: z.string().optional() }).strict()).optional(),
  }).strict()).default([]),
}).strict();

export type WorldFile = z.infer<typeof worldSchema>;

export function loadWorldFile(path: string): WorldFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the world description: ${(e as Error).message}`);
  }
  const parsed = worldSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path}: invalid world description:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The world serve.ts builds without --world: `n` single-ENI instances, one address, one route table. */
export function defaultWorld(n: number): WorldFile {
  return {
    instances: Array.from({ length: n }, (_, i) => ({ enis: [{ privateIp: `198.51.100.${10 + i}`, secondaryIps: [] }] })),
    addresses: [{ publicIp: '203.0.113.10' }],
    routeTables: [{ routes: [] }],
  };
}

export interface BuiltWorld {
  instances: FakeInstance[];
  addresses: { allocationId: string; publicIp: string }[];
  routeTables: { routeTableId: string }[];
}

/** Adds everything `w` describes to `fake` (association last, so it may name any ENI). */
export function buildWorld(fake: Ec2Fake, w: WorldFile, source = 'world'): BuiltWorld {
  const at = (field: string, f: () => void): void => {
    try {
      f();
    } catch (e) {
      throw new Error(`${source}: ${field}: ${(e as Error).message}`);
    }
  };
  const instances: FakeInstance[] = [];
  w.instances.forEach((inst, i) => at(`instances[${i}]`, () => {
    instances.push(fake.addInstance({ ...(inst.instanceId ? { instanceId: inst.instanceId } : {}), ...(inst.az ? { az: inst.az } : {}), enis: inst.enis }));
  }));
  const addresses: BuiltWorld['addresses'] = [];
  w.addresses.forEach((a, i) => at(`addresses[${i}]`, () => {
    addresses.push(fake.addAddress({ publicIp: a.publicIp, ...(a.allocationId ? { allocationId: a.allocationId } : {}) }));
  }));
  const routeTables: BuiltWorld['routeTables'] = [];
  w.routeTables.forEach((rt, i) => at(`routeTables[${i}]`, () => {
    routeTables.push(fake.addRouteTable({ ...(rt.routeTableId ? { routeTableId: rt.routeTableId } : {}), routes: rt.routes ?? [] }));
  }));
  w.addresses.forEach((a, i) => at(`addresses[${i}].associateWith`, () => {
    if (a.associateWith) fake.moveAddress(addresses[i]!.allocationId, a.associateWith.eniId, a.associateWith.privateIp);
  }));
  return { instances, addresses, routeTables };
}
