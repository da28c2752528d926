/**
 * bench/png.ts: the file starts with the PNG signature, every chunk's CRC matches, IHDR says
 * what was asked, and the IDAT inflates back to the pixels (filter byte 0 per row).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateSync } from 'node:zlib';
import { Canvas } from '../../../bench/canvas.js';
import { crc32, encodePng, PNG_SIGNATURE } from '../../../bench/png.js';

interface Chunk {
  type: string;
  data: Buffer;
  crc: number;
  crcOf: Buffer;
}

function chunks(file: Buffer): Chunk[] {
  const out: Chunk[] = [];
  let at = PNG_SIGNATURE.length;
  for (let i = 0; i < 100 && at < file.length; i++) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    out.push({ type, data: file.subarray(at + 8, at + 8 + length), crc: file.readUInt32BE(at + 8 + length), crcOf: file.subarray(at + 4, at + 8 + length) });
    at += 12 + length;
  }
  assert.equal(at, file.length, 'chunks end exactly at the end of the file');
  return out;
}

describe('PNG encoder', () => {
  it('CRC-32 of the standard check string is 0xcbf43926', () => {
    assert.equal(crc32(Buffer.from('123456789', 'latin1')), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  it('writes signature, IHDR, IDAT, IEND with valid CRCs, and the pixels survive', () => {
    const width = 3;
    const height = 2;
    const rgba = Uint8Array.from({ length: width * height * 4 }, (_, i) => (i * 37) % 256);
    const file = encodePng(width, height, rgba);
    assert.deepEqual([...file.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const cs = chunks(file);
    assert.deepEqual(cs.map((c) => c.type), ['IHDR', 'IDAT', 'IEND']);
    for (const c of cs) assert.equal(c.crc, crc32(c.crcOf), `CRC of ${c.type}`);
    const ihdr = cs[0]?.data as Buffer;
    assert.equal(ihdr.length, 13);
    assert.equal(ihdr.readUInt32BE(0), width);
    assert.equal(ihdr.readUInt32BE(4), height);
    assert.deepEqual([...ihdr.subarray(8)], [8, 6, 0, 0, 0], 'bit depth 8, RGBA, deflate, filter 0, no interlace');
    assert.equal(cs[2]?.data.length, 0);
    const raw = inflateSync(cs[1]?.data as Buffer);
    assert.equal(raw.length, height * (1 + width * 4));
    for (let y = 0; y < height; y++) {
      const row = raw.subarray(y * (1 + width * 4), (y + 1) * (1 + width * 4));
      assert.equal(row[0], 0, 'filter type None');
      assert.deepEqual([...row.subarray(1)], [...rgba.subarray(y * width * 4, (y + 1) * width * 4)]);
    }
  });

  it('refuses a buffer of the wrong size and an empty image', () => {
    assert.throws(() => encodePng(2, 2, new Uint8Array(15)), RangeError);
    assert.throws(() => encodePng(0, 1, new Uint8Array(0)), RangeError);
  });

  it('a drawn canvas encodes: text and rectangles land in the RGBA buffer', () => {
    const c = new Canvas(40, 10);
    c.rect(0, 0, 2, 2, [255, 0, 0]);
    c.text(5, 1, 'A1', [0, 0, 0]);
    assert.deepEqual([...c.data.subarray(0, 4)], [255, 0, 0, 255]);
    const inked = [...Array(40 * 10).keys()].filter((i) => c.data[i * 4] === 0 && c.data[i * 4 + 1] === 0 && c.data[i * 4 + 2] === 0).length;
    assert.ok(inked > 10, 'the glyphs put ink on the canvas');
    const file = encodePng(c.width, c.height, c.data);
    assert.deepEqual(chunks(file).map((x) => x.type), ['IHDR', 'IDAT', 'IEND']);
  });
});
