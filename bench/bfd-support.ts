/**
 * Does this vipd accept the BFD row's configuration (issue 10 §3: `bfd: { enabled: true,
 * interval: 20ms, multiplier: 3 }`)? Asks the vipd the bench runs — `vipd check -c FILE` on node
 * a's unicast configuration — with `bfd:` inside the group, then as a top-level default. The
 * schema is strict (an unknown key is an error), so a vipd without BFD refuses both: the row's
 * vipd is then reported "not built", with vipd's own message, and keepalived still runs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../test/netns/lib/index.js';
import type { BfdSupport } from './context.js';
import { SETTINGS, vipdUnicastConf, type BfdPlacement } from './impls.js';
import type { Lab } from './lab.js';

export async function bfdSupport(vipdArgv: readonly string[], lab: Lab, pki: string): Promise<BfdSupport> {
  const why: string[] = [];
  for (const placement of ['group', 'top'] as const satisfies readonly BfdPlacement[]) {
    const file = join(lab.dir, `bfd-check-${placement}.yaml`);
    await writeFile(file, vipdUnicastConf({ lab, setting: SETTINGS.bfd, groups: 1, pki, bfdPlacement: placement }, 'a', ['a', 'b'], true));
    const [cmd, ...args] = vipdArgv;
    const r = await exec([cmd as string, ...args, 'check', '-c', file], { check: false, timeoutMs: 60_000 });
    if (r.code === 0) return { placement };
    const first = (r.stderr || r.stdout).split('\n').find((l) => /bfd/i.test(l)) ?? (r.stderr || r.stdout).split('\n')[0] ?? `exit ${r.code}`;
    why.push(`${placement === 'group' ? 'in the group' : 'top level'}: ${first.replace(file, 'config').replace(/ \(allowed: [^)]*\)/, '').trim()}`);
  }
  return { notBuilt: `vipd check refuses bfd: (${why.join('; ')})` };
}
