/**
 * AdvertBundle and AdvertBundleBody (proto/vipd/v1/vipd.proto, Frame field 10, revision 2): the
 * adverts of every group one node sends another in one interval, signed once. encode / decode /
 * describe; decode never throws and checks syntax only (at most MAX_BUNDLE_ADVERTS entries, none
 * empty). Each entry is a serialized AdvertBody (advert-body.ts) that the receiver checks one by
 * one exactly as a lone advert (docs/wire-compatibility.md, "Advert bundles").
 */
import type { Decoded } from './advert-body.js';
import { decodeMessage, encodeMessage, protoType } from './proto.js';

/** The signed envelope: `mac` covers exactly the bytes of `body` (an AdvertBundleBody). */
export interface AdvertBundle {
  body: Uint8Array;
  keyId: string;
  mac: Uint8Array;
}

/**
 * A node runs at most 255 groups (VRIDs are unique per node, RFC 5798 §5.2.3), so a correct
 * bundle never has more entries; a longer one is refused whole before any entry is read.
 */
export const MAX_BUNDLE_ADVERTS = 255;

const bodyType = () => protoType('AdvertBundleBody');

/** Serializes the entries (each a serialized AdvertBody), in the order given. */
export function encodeAdvertBundleBody(adverts: readonly Uint8Array[]): Uint8Array {
  return encodeMessage(bodyType(), { adverts });
}

/** The entries of a bundle body; never throws. */
export function decodeAdvertBundleBody(bytes: Uint8Array): Decoded<Uint8Array[]> {
  const d = decodeMessage<{ adverts?: Uint8Array[] }>(bodyType(), bytes);
  if (!d.ok) return d;
  const adverts = d.value.adverts ?? [];
  if (adverts.length === 0) return { ok: false, reason: 'advert bundle without adverts' };
  if (adverts.length > MAX_BUNDLE_ADVERTS) return { ok: false, reason: `advert bundle of ${adverts.length} adverts; at most ${MAX_BUNDLE_ADVERTS}` };
  if (adverts.some((a) => a.length === 0)) return { ok: false, reason: 'advert bundle with an empty advert' };
  return { ok: true, value: adverts };
}

/** Checks a decoded Frame.advert_bundle (the envelope only: the body is read after the MAC). */
export function checkAdvertBundle(raw: Partial<AdvertBundle> | undefined): Decoded<AdvertBundle> {
  if (!raw?.body || raw.body.length === 0) return { ok: false, reason: 'advert bundle with an empty body' };
  return { ok: true, value: { body: raw.body, keyId: raw.keyId ?? '', mac: raw.mac ?? new Uint8Array() } };
}

export function describeAdvertBundle(b: AdvertBundle): string {
  return `signed advert bundle (${b.body.length} bytes, key ${b.keyId || 'none'})`;
}

export function describeAdvertBundleBody(adverts: readonly Uint8Array[]): string {
  return `advert bundle of ${adverts.length} advert${adverts.length === 1 ? '' : 's'} (${adverts.reduce((s, a) => s + a.length, 0)} bytes)`;
}
