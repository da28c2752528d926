/**
 * docs/metrics.md lists every metric name and every drop reason the code can produce (the typed
 * lists), and no document names a metric that does not exist.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FRAME_UNSENT_REASONS, PEER_FRAME_DROP_REASONS, PEER_REJECT_REASONS, TRANSPORT_ADVERT_DROP_REASONS } from '../../../src/adapters/grpc/drop-reasons.js';
import { BFD_DROP_REASONS } from '../../../src/adapters/bfd/drop-reasons.js';
import { VRRP_DROP_REASONS } from '../../../src/adapters/vrrp/drop-reasons.js';
import { ELECTION_DROP_REASONS } from '../../../src/core/election/drop-reasons.js';
import { MEMBERSHIP_DROP_REASONS } from '../../../src/core/membership/drop-reasons.js';
import { ITEM_DROP_REASONS } from '../../../src/core/membership/limits.js';
import { METRIC_NAMES } from '../../../src/ports/metrics.js';
import { RUNTIME_ADVERT_DROP_REASONS } from '../../../src/runtime/drop-reasons.js';
import { REPLAY_DROP_REASONS } from '../../../src/security/replay.js';
import { FENCE_REASONS } from '../../../providers/common/fence.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');
const page = read('docs/metrics.md');

/** The part of docs/metrics.md from the first mention of `metric{reason}` to the next section. */
function sectionOf(metric: string): string {
  const at = page.indexOf(`\`${metric}{reason}\``);
  assert.ok(at >= 0, `docs/metrics.md explains the reasons of ${metric} under "\`${metric}{reason}\`"`);
  const next = page.indexOf('\n## ', at);
  return page.slice(at, next < 0 ? undefined : next);
}

function assertListed(metric: string, reasons: readonly string[]): void {
  const section = sectionOf(metric);
  const missing = reasons.filter((r) => !section.includes(`\`${r}\``));
  assert.deepEqual(missing, [], `reasons of ${metric} missing from docs/metrics.md`);
}

describe('docs/metrics.md', () => {
  it('lists every metric name', () => {
    const missing = METRIC_NAMES.filter((n) => !page.includes(`| \`${n}\` |`));
    assert.deepEqual(missing, []);
  });

  it('lists every drop reason under its counter', () => {
    assertListed('vipd_adverts_dropped_total', [...ELECTION_DROP_REASONS, ...TRANSPORT_ADVERT_DROP_REASONS, ...RUNTIME_ADVERT_DROP_REASONS]);
    assertListed('vipd_peer_rejected_total', PEER_REJECT_REASONS);
    assertListed('vipd_peer_frames_dropped_total', PEER_FRAME_DROP_REASONS);
    assertListed('vipd_peer_frames_unsent_total', FRAME_UNSENT_REASONS);
    assertListed('vipd_membership_messages_dropped_total', MEMBERSHIP_DROP_REASONS);
    assertListed('vipd_membership_items_dropped_total', ITEM_DROP_REASONS);
    assertListed('vipd_vrrp_dropped_total', VRRP_DROP_REASONS);
    assertListed('vipd_provider_fenced_total', FENCE_REASONS);
    assertListed('vipd_bfd_dropped_total', BFD_DROP_REASONS);
  });

  it('the transport names every replay refusal replay-<reason>', () => {
    for (const r of REPLAY_DROP_REASONS) assert.ok((TRANSPORT_ADVERT_DROP_REASONS as readonly string[]).includes(`replay-${r}`), r);
  });

  it('each reason list has no duplicates', () => {
    for (const list of [ELECTION_DROP_REASONS, TRANSPORT_ADVERT_DROP_REASONS, RUNTIME_ADVERT_DROP_REASONS, PEER_REJECT_REASONS, PEER_FRAME_DROP_REASONS,
      FRAME_UNSENT_REASONS, MEMBERSHIP_DROP_REASONS, ITEM_DROP_REASONS, VRRP_DROP_REASONS, FENCE_REASONS, METRIC_NAMES] as const) {
      assert.equal(new Set(list).size, list.length, list.join(', '));
    }
  });
});

describe('documents name only metrics that exist', () => {
  const docs = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
    ...readdirSync(join(root, 'providers')).map((p) => `providers/${p}/README.md`).filter((f) => { try { read(f); return true; } catch { return false; } })];
  for (const doc of docs) {
    it(doc, () => {
      const named = [...read(doc).matchAll(/\bvipd_[a-z0-9_]+/g)].map((m) => m[0]);
      const unknown = named.filter((n) => !(METRIC_NAMES as readonly string[]).includes(n));
      assert.deepEqual([...new Set(unknown)], []);
    });
  }
});
