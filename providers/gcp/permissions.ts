/**
 * The IAM permissions each mode's code uses, and nothing else. Preflight tests exactly these
 * (instances.testIamPermissions, addresses.testIamPermissions), hints name them, and
 * deploy/gcp/vipd-role.yaml grants their union (test/unit/providers/gcp/permissions.test.ts
 * keeps the three equal). Each is documented in deploy/gcp/README.md.
 * Compute IAM reference: https://cloud.google.com/compute/docs/access/iam-permissions
 */
import type { GcpMode } from './schema.js';

/** What a permission is tested on in preflight (testIamPermissions exists per resource type). */
export type PermissionScope = 'instance' | 'address' | 'project';

export interface PermissionUse {
  readonly permission: string;
  readonly scope: PermissionScope;
  /** Why the code needs it (deploy/gcp/README.md says the same). */
  readonly why: string;
}

const GET_INSTANCE: PermissionUse = { permission: 'compute.instances.get', scope: 'instance', why: 'read this instance and the holder: interfaces, fingerprints, access configs, fence metadata' };
const SET_METADATA: PermissionUse = { permission: 'compute.instances.setMetadata', scope: 'instance', why: 'write the fence record (metadata key vipd-fence-<group>) on this instance' };
const ZONE_OPERATIONS: PermissionUse = { permission: 'compute.zoneOperations.get', scope: 'project', why: 'poll the zonal operations of instance changes (interfaces, access configs, the fence metadata) until they are done' };
const ZONE_OPERATIONS_LIST: PermissionUse = { permission: 'compute.zoneOperations.list', scope: 'project', why: 'after a change whose answer was lost (timeout, abort), find its operation and wait for it before releasing' };

export const GCP_PERMISSIONS: Readonly<Record<GcpMode, readonly PermissionUse[]>> = {
  'alias-ip': [
    GET_INSTANCE,
    { permission: 'compute.instances.list', scope: 'project', why: 'find the holder of the range among the instances of this zone when `instances` is not set' },
    { permission: 'compute.instances.updateNetworkInterface', scope: 'instance', why: 'remove the alias range from the holder\'s interface and add it to this one' },
    SET_METADATA,
    ZONE_OPERATIONS,
    ZONE_OPERATIONS_LIST,
  ],
  'external-ip': [
    GET_INSTANCE,
    { permission: 'compute.addresses.get', scope: 'address', why: 'read the static address: its IP and which instance uses it' },
    { permission: 'compute.addresses.use', scope: 'address', why: 'attach the static address to this instance (addAccessConfig with natIP)' },
    { permission: 'compute.instances.addAccessConfig', scope: 'instance', why: 'attach the address to this instance\'s interface' },
    { permission: 'compute.instances.deleteAccessConfig', scope: 'instance', why: 'detach it from the holder (and this instance\'s ephemeral access config)' },
    SET_METADATA,
    ZONE_OPERATIONS,
    ZONE_OPERATIONS_LIST,
  ],
  route: [
    GET_INSTANCE,
    { permission: 'compute.networks.get', scope: 'project', why: 'preflight: the network exists' },
    { permission: 'compute.routes.list', scope: 'project', why: 'find the vipd routes for the destination ranges' },
    { permission: 'compute.routes.create', scope: 'project', why: 'create the route with this instance as next hop' },
    { permission: 'compute.networks.updatePolicy', scope: 'project', why: 'creating or deleting a route changes the network\'s routing policy' },
    { permission: 'compute.routes.delete', scope: 'project', why: 'delete the previous holder\'s route and ours on release' },
    SET_METADATA,
    ZONE_OPERATIONS,
    ZONE_OPERATIONS_LIST,
    { permission: 'compute.globalOperations.get', scope: 'project', why: 'poll the global operations of route changes until they are done' },
    { permission: 'compute.globalOperations.list', scope: 'project', why: 'after a route change whose answer was lost, find its operation and wait for it before releasing' },
  ],
};

/** Every permission any mode uses, sorted: what deploy/gcp/vipd-role.yaml must grant. */
export const ALL_GCP_PERMISSIONS: readonly string[] = [...new Set(Object.values(GCP_PERMISSIONS).flat().map((p) => p.permission))].sort();

/** Where the custom role is, for hints. */
export const ROLE_FILE = 'deploy/gcp/vipd-role.yaml';
