/** The namespace helper library: names, topology, cleanup after a crash. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { exec } from './exec.js';
import { NAME_PATTERN, allocatePrefix, ifname, ownerPid, processTag, releasePrefix } from './names.js';
import { netnsSkipReason } from './skip.js';
import { createTopology, sweepLeftovers, withTopology } from './topology.js';
import { waitFor } from './wait.js';

describe('netns names', () => {
  it('carry the owner pid, fit interface names, and do not match other schemes', () => {
    const prefix = allocatePrefix();
    try {
      assert.match(prefix, NAME_PATTERN);
      assert.equal(ownerPid(`${prefix}-switch`), process.pid);
      assert.ok(prefix.startsWith(processTag()));
      assert.equal(ifname(prefix, 'h12').length <= 15, true);
      assert.throws(() => ifname(prefix, 'toolongsuffix'), /longer than 15/);
      assert.equal(ownerPid('vt1234h1'), undefined, 'a `vt${pid % 10000}` name is someone else\'s');
      assert.equal(ownerPid('eth0'), undefined);
      assert.equal(ownerPid(`${processTag(4_194_304)}0`), 4_194_304, 'the largest Linux pid fits');
    } finally {
      releasePrefix(prefix);
    }
  });

  it('waitFor returns the first truthy value and names what it waited for on timeout', async () => {
    let n = 0;
    assert.equal(await waitFor(() => (++n >= 3 ? n : undefined), { intervalMs: 1 }), 3);
    await assert.rejects(waitFor(() => false, { timeoutMs: 30, intervalMs: 5, what: 'godot' }), /waiting for godot/);
  });
});

const skip = (await netnsSkipReason()) ?? false;

describe('netns topology', { skip, timeout: 60_000 }, () => {
  it('wires hosts through a bridge with IPv4 and IPv6, and destroy removes every namespace', async () => {
    let prefix = '';
    await withTopology({ hosts: ['a', 'b', 'c'] }, async (t) => {
      prefix = t.prefix;
      assert.equal(t.hosts.length, 3);
      const [a, b, c] = t.hosts;
      assert.ok(a && b && c);
      assert.deepEqual([a.ipv4, b.ipv4, c.ipv4], ['192.0.2.11', '192.0.2.12', '192.0.2.13']);
      assert.equal(c.ipv6, '2001:db8::13');
      assert.match(a.mac, /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
      assert.equal((await a.run(['ip', '-o', 'link', 'show', 'dev', a.ifname])).code, 0);
      const ping = await a.run(['ping', '-c', '1', '-W', '2', c.ipv4], { check: false });
      if (ping.code === 127 || /exec of "ping" failed/.test(ping.stderr)) return; // iputils-ping not installed: wiring is checked below
      assert.equal(ping.code, 0, ping.stderr);
      assert.equal((await a.neighbour(c.ipv4))?.mac, c.mac);
      assert.equal((await b.run(['ping', '-6', '-c', '1', '-W', '2', a.ipv6 ?? ''], { check: false })).code, 0);
      const addresses = await b.addresses();
      assert.ok(addresses.some((x) => x.address === b.ipv4 && x.prefixLength === 24));
      assert.throws(() => t.host('nope'), /no host "nope"/);
    });
    const list = await exec(['ip', 'netns', 'list']);
    assert.ok(!list.stdout.includes(prefix), `namespaces with ${prefix} left behind:\n${list.stdout}`);
  });

  it('refuses bad options before creating anything', async () => {
    await assert.rejects(createTopology({ hosts: ['ok', 'Bad Name'] }), /must match/);
    await assert.rejects(createTopology({ hosts: [] }), /1–20 hosts/);
  });

  it('sweeps what a crashed run left, and leaves a live run alone', async () => {
    const fixture = fileURLToPath(new URL('./crash-fixture.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'inherit'] });
    let crashedPrefix = '';
    try {
      await withTopology({ hosts: ['live'] }, async (mine) => {
        let out = '';
        child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
        crashedPrefix = await waitFor(() => out.trim().match(NAME_PATTERN)?.[0] && out.trim(), { what: 'the fixture\'s topology', timeoutMs: 20_000 });
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
        const before = (await exec(['ip', 'netns', 'list'])).stdout;
        assert.ok(before.includes(`${crashedPrefix}-a`), 'the crash left namespaces behind');

        const removed = await sweepLeftovers();
        assert.ok(removed.includes(`${crashedPrefix}-a`) && removed.includes(`${crashedPrefix}-switch`), `removed: ${removed.join(', ')}`);
        const after = (await exec(['ip', 'netns', 'list'])).stdout;
        assert.ok(!after.includes(crashedPrefix), 'leftovers swept');
        assert.ok(after.includes(`${mine.prefix}-live`), 'a live owner\'s namespaces stay');
      });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (crashedPrefix) {
        for (const suffix of ['-a', '-b', '-switch']) await exec(['ip', 'netns', 'del', `${crashedPrefix}${suffix}`], { check: false });
      }
    }
  });
});
