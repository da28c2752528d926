/** MAC text <-> bytes and the VRRP virtual MAC (test/golden/mac.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatMac, parseMac, vrrpVirtualMac } from '../../src/wire/mac.js';

describe('MACs', () => {
  it('parse and format round-trip in lower case', () => {
    const b = parseMac('02:00:5E:00:01:0A');
    assert.ok(b);
    assert.equal(formatMac(b), '02:00:5e:00:01:0a');
  });
  for (const bad of ['', '02:00:5e:00:01', '02-00-5e-00-01-0a', '02:00:5e:00:01:0g', '002:00:5e:00:01:0a']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(parseMac(bad), undefined));
  }
  it('virtual router MAC (RFC 5798 §7.3)', () => {
    assert.equal(vrrpVirtualMac(51, 4), '00:00:5e:00:01:33');
    assert.equal(vrrpVirtualMac(255, 6), '00:00:5e:00:02:ff');
  });
});
