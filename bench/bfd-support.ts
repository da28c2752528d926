/**
 * Does this vipd run BFD with the BFD row's configuration (issue 10 §3: `bfd: { enabled: true,
 * interval: 20ms, multiplier: 3 }`)? Asks the vipd the bench runs — `vipd check -c FILE` on node
 * a's unicast configuration — with `bfd:` inside the group, then as a top-level default. The
 * schema is strict (an unknown key is an error), so a vipd without the section refuses both;
 * a vipd that accepts the section but warns about it (a build whose `vipd run` does not start
 * sessions yet says so as a check warning naming bfd) is not running BFD either. Either way the
 * row's vipd is reported "not built" with vipd's own message, and keepalived still runs.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../test/netns/lib/index.js';
import type { BfdSupport } from './context.js';
import { SETTINGS, vipdUnicastConf, type BfdPlacement } from './impls.js';
import type { Lab } from './lab.js';

const PLACE: Readonly<Record<BfdPlacement, string>> = { group: 'in the group', top: 'top level' };

/**
 * What one `vipd check` said about a placement. Pure (test/unit/bench/targets.test.ts): exit 0
 * without a warning about bfd is support; otherwise the line naming bfd (or the first line),
 * without the schema's list of allowed keys.
 */
export function bfdCheckVerdict(placement: BfdPlacement, code: number | null, stdout: string, stderr: string, file: string): { ok: true } | { ok: false; why: string } {
  // The file's own name (bfd-check-…) must not count as a mention of bfd.
  const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.split(file).join('config').trim()).filter(Boolean);
  const aboutBfd = lines.find((l) => /bfd/i.test(l) && (code !== 0 || /warning/i.test(l)));
  if (code === 0 && !aboutBfd) return { ok: true };
  const line = aboutBfd ?? lines[0] ?? `exit ${code}`;
  return { ok: false, why: `${PLACE[placement]}: ${line.replace(/ \(allowed: [^)]*\)/, '')}` };
}

export async function bfdSupport(vipdArgv: readonly string[], lab: Lab, pki: string): Promise<BfdSupport> {
  const why: string[] = [];
  for (const placement of ['group', 'top'] as const satisfies readonly BfdPlacement[]) {
    const file = join(lab.dir, `bfd-check-${placement}.yaml`);
    await writeFile(file, vipdUnicastConf({ lab, setting: SETTINGS.bfd, groups: 1, pki, bfdPlacement: placement }, 'a', ['a', 'b'], true));
    const [cmd, ...args] = vipdArgv;
    const r = await exec([cmd as string, ...args, 'check', '-c', file], { check: false, timeoutMs: 60_000 });
    const v = bfdCheckVerdict(placement, r.code, r.stdout, r.stderr, file);
    if (v.ok) return { placement };
    why.push(v.why);
  }
  return { notBuilt: `vipd check: ${why.join('; ')}` };
}
