/**
 * The custom role grants exactly what the code uses: the permissions in providers/gcp/permissions.ts
 * (what preflight tests and hints name) equal deploy/gcp/vipd-role.yaml's list, and each is
 * explained in deploy/gcp/README.md.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { ALL_GCP_PERMISSIONS, GCP_PERMISSIONS } from '../../../../providers/gcp/permissions.js';

const root = new URL('../../../../', import.meta.url);

describe('gcp least privilege', () => {
  it('deploy/gcp/vipd-role.yaml grants exactly the permissions the code uses', () => {
    const role = parse(readFileSync(new URL('deploy/gcp/vipd-role.yaml', root), 'utf8')) as { includedPermissions?: string[] };
    assert.deepEqual([...(role.includedPermissions ?? [])].sort(), [...ALL_GCP_PERMISSIONS]);
  });

  it('every mode lists each permission once, and deploy/gcp/README.md explains each', () => {
    const readme = readFileSync(new URL('deploy/gcp/README.md', root), 'utf8');
    for (const [mode, uses] of Object.entries(GCP_PERMISSIONS)) {
      const names = uses.map((u) => u.permission);
      assert.equal(new Set(names).size, names.length, `${mode} lists a permission twice`);
    }
    for (const p of ALL_GCP_PERMISSIONS) assert.ok(readme.includes(`\`${p}\``), `deploy/gcp/README.md does not explain ${p}`);
  });
});
