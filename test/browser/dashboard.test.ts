/**
 * The dashboard (src/api/dashboard/, docs/api.md) in a real Chromium against a real 3-node vipd
 * cluster on loopback: the page of a backup shows its node, members and group, goes live on the
 * WebSocket, and when the master is killed with SIGKILL it shows the new master, the dead
 * member and the master-move event without a reload. Screenshot: test-results/dashboard.png (and
 * docs/img/dashboard.png with UPDATE_SCREENSHOT=1).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`); without it the test skips.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { LocalCluster, type ProcSpec } from '../../src/cli/local-cluster.js';

// The page.evaluate callbacks run in the browser, where `document` is the page's: the little of
// the DOM they use, typed here (the project's lib has no DOM; this emits nothing).
interface PageElement { textContent: string | null; getAttribute(name: string): string | null; querySelector(s: string): PageElement | null }
declare const document: { querySelector(s: string): PageElement | null; querySelectorAll(s: string): ArrayLike<PageElement> };

const CHROMIUM = '/usr/bin/chromium';
const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const skip = existsSync(CHROMIUM) ? false : `no ${CHROMIUM}: apt-get install chromium (the CI script installs it)`;

// a is the lowest priority: its dashboard stays up while c (the master) is killed; b takes over.
const specs: ProcSpec[] = [
  // With a check, so the page's checks table has a row (tracked with weight +5: 105 shown).
  { id: 'a', priority: 100, peers: ['b', 'c'], lines: ['checks:', '  - { name: loopback, type: interface, interface: lo, weight: 5 }'], group: { lines: ['    track: [loopback]'] } },
  { id: 'b', priority: 150, peers: ['a', 'c'] },
  { id: 'c', priority: 200, peers: ['a', 'b'] },
];

/** The page's state in a few words, for failure messages. */
async function pageState(page: Page): Promise<string> {
  return page.evaluate(() => {
    const q = (s: string) => Array.from(document.querySelectorAll(s));
    const group = q('[data-testid=group-row]').map((r) => `${r.getAttribute('data-group')}=${r.getAttribute('data-role')} master=${r.querySelector('[data-testid=group-master]')?.textContent ?? ''} term=${r.querySelector('[data-testid=group-term]')?.textContent ?? ''}`);
    const members = q('[data-testid=member-row]').map((r) => `${r.getAttribute('data-member')}:${r.getAttribute('data-state')}`);
    const events = q('[data-testid=event-row]').slice(0, 8).map((r) => r.textContent);
    return `ws=${document.querySelector('[data-testid=ws-state]')?.textContent} node=${document.querySelector('[data-testid=node-id]')?.textContent}\ngroups: ${group.join('; ')}\nmembers: ${members.join(' ')}\nevents:\n  ${events.join('\n  ')}`;
  });
}

describe('dashboard in Chromium, live over the WebSocket', { skip }, () => {
  const c = new LocalCluster(specs, 'dashtest', VIPD);
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    await c.prepare();
    c.startAll();
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], timeout: 30_000 });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(20_000);
    // tsx (esbuild, keepNames) wraps the callbacks' inner named functions in __name(...), which
    // is defined in this process, not in the page: give the page an identity __name.
    await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`${r.status()} for ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
  });

  after(async () => {
    try {
      await browser?.close();
    } finally {
      await c.destroy();
    }
  });

  it('shows a backup node, then the failover without a reload', async () => {
    await c.until(() => c.masters().join() === 'c' && c.roles().get('a') === 'BACKUP' && c.roles().get('b') === 'BACKUP', 30_000, 'c master');
    await c.until(() => c.apiUrl('a') !== undefined, 10_000, 'a: api: http on 127.0.0.1:PORT');
    const url = c.apiUrl('a') ?? '';
    const res = await page.goto(`${url}/`, { waitUntil: 'load', timeout: 15_000 });
    assert.equal(res?.status(), 200, 'GET / answers the dashboard');

    await page.waitForFunction(() => document.querySelector('[data-testid=node-id]')?.textContent === 'a', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid=ws-state]')?.textContent === 'live', undefined, { timeout: 10_000 })
      .catch(async (err: unknown) => assert.fail(`ws-state never became live: ${String(err)}\n${await pageState(page)}\n${pageErrors.join('\n')}`));

    // One group, this node a backup following c; b and c alive in the members table.
    await page.waitForFunction(() => {
      const rows = Array.from(document.querySelectorAll('[data-testid=group-row]'));
      const r = rows[0];
      const alive = (id: string) => document.querySelector(`[data-testid=member-row][data-member="${id}"]`)?.getAttribute('data-state') === 'alive';
      return rows.length === 1 && r?.getAttribute('data-group') === 'web' && r.getAttribute('data-role') === 'Backup'
        && r.querySelector('[data-testid=group-master]')?.textContent === 'c' && alive('b') && alive('c');
    }, undefined, { timeout: 15_000 }).catch(async (err: unknown) => assert.fail(`before the kill: ${String(err)}\n${await pageState(page)}`));
    const row = page.locator('[data-testid=group-row][data-group=web]');
    assert.equal(await row.locator('[data-testid=group-role]').textContent(), 'Backup');
    const termBefore = Number(await row.locator('[data-testid=group-term]').textContent());
    assert.ok(Number.isInteger(termBefore) && termBefore > 0, `a term: ${termBefore}`);
    assert.ok(await page.locator('[data-testid=timeline] rect.seg').count() > 0, 'the timeline draws a segment');
    // The interface check on lo: OK, so its +5 shows in the effective priority (base 100).
    await page.locator('[data-testid=check-row][data-check=loopback][data-status=ok]').waitFor({ timeout: 10_000 });
    assert.match(await row.locator('td.num').first().textContent() ?? '', /^105 \(100\)$/);
    const movesBefore = await page.locator('[data-testid=event-row][data-type=master]').count();

    // For the README's picture only: a few seconds on each side of the failover, so the
    // timeline's segments are wide enough to read.
    const forPicture = process.env.UPDATE_SCREENSHOT === '1' ? 4000 : 0;
    await new Promise((r) => setTimeout(r, forPicture));

    // SIGKILL the master; the page, never reloaded, follows the failover.
    const t = Date.now();
    c.signal('c', 'SIGKILL');
    await c.exited('c').catch(() => undefined);
    await page.waitForFunction((before) => {
      const r = document.querySelector('[data-testid=group-row][data-group=web]');
      const cState = document.querySelector('[data-testid=member-row][data-member=c]')?.getAttribute('data-state') ?? '';
      const moves = Array.from(document.querySelectorAll('[data-testid=event-row][data-type=master]')).map((e) => e.textContent ?? '');
      return r?.querySelector('[data-testid=group-master]')?.textContent === 'b' && r.getAttribute('data-role') === 'Backup'
        && ['suspect', 'dead'].includes(cState) && moves.length > before && moves.some((t) => t.includes('c → b'));
    }, movesBefore, { timeout: 20_000, polling: 100 })
      .catch(async (err: unknown) => assert.fail(`after the kill: ${String(err)}\n${await pageState(page)}\n${c.tail(30)}`));
    console.log(`# the page showed the failover ${Date.now() - t} ms after the SIGKILL`);
    assert.equal(await page.evaluate(() => performance.getEntriesByType('navigation' as 'mark').length), 1, 'no reload');
    assert.ok(Number(await row.locator('[data-testid=group-term]').textContent()) >= termBefore, 'the term did not go back');
    assert.equal(await page.locator('[data-testid=ws-state]').textContent(), 'live');
    assert.ok(await page.locator('[data-testid=event-row]').count() <= 200, 'at most 200 event rows');
    assert.deepEqual(pageErrors, [], 'no errors in the page');

    await new Promise((r) => setTimeout(r, forPicture));
    await mkdir(`${ROOT}test-results`, { recursive: true });
    const shot = `${ROOT}test-results/dashboard.png`;
    await page.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(`${ROOT}docs/img`, { recursive: true });
      await copyFile(shot, `${ROOT}docs/img/dashboard.png`);
    }
  });
});
