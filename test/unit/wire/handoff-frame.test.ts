/**
 * Handoff frames (src/wire/handoff-frame.ts, Frame fields 7 and 8; issue 10): golden bytes
 * labelled per field, syntax refusals, round trips, and decode never throws.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeFrame, describeFrame, encodeFrame, type Frame } from '../../../src/wire/peer-frame.js';

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
/** Labelled golden bytes: each line is hex byte groups, then a label (its first non-hex word). */
const labelled = (text: string) => hex(text.split('\n').map((line) => {
  const words = line.trim().split(/\s+/);
  const end = words.findIndex((w) => !/^([0-9a-f]{2})+$/.test(w));
  return (end === -1 ? words : words.slice(0, end)).join('');
}).join(''));

describe('handoff frames: golden bytes', () => {
  it('Handoff {group web, term 7, successor b} (field 7)', () => {
    const bytes = labelled(`
      3a 0a          Frame.handoff (field 7, length-delimited), 10 bytes
      0a 03 776562   group "web"
      10 07          term 7
      1a 01 62       successor "b"
    `);
    const f: Frame = { handoff: { group: 'web', term: 7, successor: 'b' } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'handoff web term 7 to b');
  });

  it('HandoffDone {group web, term 8} (field 8)', () => {
    const bytes = labelled(`
      42 07          Frame.handoff_done (field 8, length-delimited), 7 bytes
      0a 03 776562   group "web"
      10 08          term 8
    `);
    const f: Frame = { handoffDone: { group: 'web', term: 8 } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'handoff done web term 8');
  });

  it('refuses a handoff without a group or a successor, and a done without a group', () => {
    const reason = (f: Frame) => {
      const d = decodeFrame(encodeFrame(f));
      return d.ok ? 'accepted' : d.reason;
    };
    assert.equal(reason({ handoff: { group: '', term: 1, successor: 'b' } }), 'handoff without a group');
    assert.equal(reason({ handoff: { group: 'web', term: 1, successor: '' } }), 'handoff without a successor');
    assert.equal(reason({ handoffDone: { group: '', term: 1 } }), 'handoff done without a group');
  });

  it('round trips any handoff, and decode never throws on random or mutated bytes', () => {
    const safe = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(fc.property(fc.string({ minLength: 1 }), safe, fc.string({ minLength: 1 }), (group, term, successor) => {
      const f: Frame = { handoff: { group, term, successor } };
      assert.deepEqual(decodeFrame(encodeFrame(f)), { ok: true, value: f });
    }), { numRuns: 300 });
    const seed = encodeFrame({ handoff: { group: 'web', term: 7, successor: 'b' } });
    const mutated = fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
      const b = Uint8Array.from(seed);
      for (const [i, v] of edits) b[i] = v;
      return b;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
      const f = decodeFrame(bytes);
      assert.ok(f.ok || f.reason.length > 0);
    }), { numRuns: 3000 });
  });
});
