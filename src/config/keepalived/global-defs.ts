/**
 * `global_defs { ... }` (keepalived.conf(5) "Global definitions"): what vipd takes from it.
 *
 * - router_id: node.id when it makes a vipd name (a-z, 0-9, "-"); keepalived's default is the
 *   host name, and so is the importer's.
 * - vrrp_version: the default VRRP version of the instances (keepalived's own default is 2).
 * - vrrp_garp_*, vrrp_min_garp: the local provider's announcement options (garp.ts).
 * - everything else: reported, with why (unmapped.ts).
 */
import { applyGarp, isGarpKeyword, type GarpSettings, type Setting } from './garp.js';
import { statement, type KNode } from './parser.js';
import type { Report } from './report.js';
import { unmappedReason } from './unmapped.js';
import { integer } from './values.js';

export interface GlobalDefs {
  readonly routerId?: Setting<string>;
  readonly version?: Setting<2 | 3>;
  readonly garp: GarpSettings;
}

const IANA_GROUP: Record<string, string> = { vrrp_mcast_group4: '224.0.0.18', vrrp_mcast_group6: 'ff02::12' };

/** Folds one global_defs block into `defs` (keepalived merges repeated blocks, the later value winning). */
export function readGlobalDefs(block: KNode, defs: GlobalDefs, report: Report): GlobalDefs {
  let out = defs;
  for (const node of block.block ?? []) {
    const value = node.args[0]?.text;
    if (node.name === 'router_id') {
      if (value === undefined) report.unmapped(node.at, 'router_id', 'has no value');
      else out = { ...out, routerId: { value, at: node.at } };
    } else if (node.name === 'vrrp_version') {
      const v = integer(value);
      if (v === 2 || v === 3) out = { ...out, version: { value: v, at: node.at } };
      else report.unmapped(node.at, `vrrp_version ${value ?? ''}`.trim(), 'must be 2 or 3; the instances keep keepalived\'s default, 2');
    } else if (isGarpKeyword(node.name, 'global_defs')) {
      out = { ...out, garp: applyGarp(out.garp, node, 'global_defs', report) };
    } else if (Object.hasOwn(IANA_GROUP, node.name) && value === IANA_GROUP[node.name]) {
      report.note(node.at, `${node.name} ${value}`, 'the IANA group, which is the one vipd uses: nothing to set');
    } else {
      report.unmapped(node.at, statement(node), unmappedReason('global_defs', node.name));
    }
  }
  return out;
}
