/**
 * tshark decodes what vipd sends as BFD, clean (issue 10 §3): our Control packets, plain and
 * with Meticulous Keyed SHA1, single hop (UDP 3784) and multihop (4784), are written to a pcap
 * in the frames the kernel would send (TTL 255, source port 49152+) and read back with
 * `tshark -r FILE -V` and with `-T fields`: every frame is BFD, with the fields we encoded, and
 * tshark reports no malformed packet or expert warning. tshark's default port table maps both
 * 3784 and 4784 to BFD, so no `-d` is needed. Skipped with a reason without tshark
 * (Debian package tshark; .ci/run installs it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BfdAuthenticator } from '../../../src/adapters/bfd/auth.js';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT, encodeBfd, type BfdControlPacket } from '../../../src/wire/bfd.js';
import { encodePcap } from '../../golden/pcap.js';
import { encodeUdpFrame } from '../../golden/udp.js';
import { locateTool } from '../../netns/lib/index.js';

const run = promisify(execFile);

const DOWN: Omit<BfdControlPacket, 'auth'> = {
  diag: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
  myDiscriminator: 0x1234abcd, yourDiscriminator: 0, desiredMinTxUs: 1_000_000, requiredMinRxUs: 20_000, requiredMinEchoRxUs: 0,
};
const UP = { ...DOWN, state: 'Up' as const, yourDiscriminator: 0x0c0ffee5, desiredMinTxUs: 20_000 };

describe('tshark decodes vipd BFD packets', () => {
  it('as BFD Control messages with our fields, no malformed packet, no expert info', async (t) => {
    const tshark = await locateTool('tshark');
    if (!tshark) {
      t.skip('tshark is not installed (Debian package tshark)');
      return;
    }
    const auth = new BfdAuthenticator([{ id: 'k1', secret: Buffer.alloc(32, 0x5a) }], 'k1');
    const packets: Array<[Uint8Array, number]> = [
      [encodeBfd(DOWN), BFD_SINGLE_HOP_PORT],
      [encodeBfd({ ...UP, state: 'Init' }), BFD_SINGLE_HOP_PORT],
      [encodeBfd({ ...UP, poll: true }), BFD_SINGLE_HOP_PORT],
      [auth.sign({ ...UP, final: true }, 0xfffffffe), BFD_SINGLE_HOP_PORT],
      [auth.sign({ ...UP, diag: 1, state: 'Down', yourDiscriminator: 0 }, 0xffffffff), BFD_MULTIHOP_PORT],
      [encodeBfd({ ...DOWN, state: 'AdminDown', diag: 7 }), BFD_MULTIHOP_PORT],
    ];
    const frames = packets.map(([payload, port], i) => ({
      timestamp: 1_800_000_000 + i / 50,
      data: encodeUdpFrame({ source: '192.0.2.11', destination: '192.0.2.12', sourcePort: 49152 + i, destinationPort: port, ttl: 255, payload }),
    }));
    const dir = await mkdtemp(join(tmpdir(), 'vipd-bfd-tshark-'));
    try {
      const file = join(dir, 'bfd.pcap');
      await writeFile(file, encodePcap(frames));
      const opts = { timeout: 30_000, maxBuffer: 8 << 20 };
      const verbose = (await run(tshark, ['-n', '-r', file, '-V', '-o', 'udp.check_checksum:TRUE'], opts)).stdout;
      assert.equal(verbose.match(/^BFD Control message$/gm)?.length, packets.length, verbose);
      assert.equal(verbose.match(/Protocols in frame: eth:ethertype:ip:udp:bfd\]/g)?.length, packets.length, verbose);
      assert.doesNotMatch(verbose, /Malformed|Expert Info|\bBad\b|\binvalid\b/i, verbose);
      const fields = ['udp.checksum.status', 'bfd.version', 'bfd.sta', 'bfd.diag', 'bfd.flags.p', 'bfd.flags.f', 'bfd.flags.a',
        'bfd.detect_time_multiplier', 'bfd.message_length', 'bfd.my_discriminator', 'bfd.your_discriminator',
        'bfd.desired_min_tx_interval', 'bfd.auth.type', 'bfd.auth.len', 'bfd.auth.seq_num', '_ws.expert'];
      const table = (await run(tshark, ['-n', '-r', file, '-o', 'udp.check_checksum:TRUE', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], opts)).stdout
        .replace(/\n$/, '').split('\n').map((line) => line.split('\t'));
      assert.deepEqual(table, [ // columns: fields above
        ['1', '1', '0x01', '0x00', '0', '0', '0', '3', '24', '0x1234abcd', '0x00000000', '1000000', '', '', '', ''],
        ['1', '1', '0x02', '0x00', '0', '0', '0', '3', '24', '0x1234abcd', '0x0c0ffee5', '20000', '', '', '', ''],
        ['1', '1', '0x03', '0x00', '1', '0', '0', '3', '24', '0x1234abcd', '0x0c0ffee5', '20000', '', '', '', ''],
        ['1', '1', '0x03', '0x00', '0', '1', '1', '3', '52', '0x1234abcd', '0x0c0ffee5', '20000', '5', '28', '0xfffffffe', ''],
        ['1', '1', '0x01', '0x01', '0', '0', '1', '3', '52', '0x1234abcd', '0x00000000', '20000', '5', '28', '0xffffffff', ''],
        ['1', '1', '0x00', '0x07', '0', '0', '0', '3', '24', '0x1234abcd', '0x00000000', '1000000', '', '', '', ''],
      ], JSON.stringify(table));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
