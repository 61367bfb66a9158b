/**
 * Accessibility of the kiosk in Chromium at 1280×800: axe-core (WCAG 2.0/2.1 A and AA rules:
 * colour contrast, names and labels, ARIA, language, …) and a touch-target check (every visible,
 * enabled button, input, select, [role=button] and link at least 48×48 CSS px, for gloves) in
 * each state the users see: scanning with a live image and findings (English and Dutch), the
 * exam start dialog, an exam in progress (body map, a zone chosen), the summary (and its editor),
 * the maintenance page locked and unlocked, and the not-provisioned screen. Fails with, per
 * violation, the rule, its impact, what to do and the CSS targets of the failing nodes.
 * One device (provisioned, with the stand-in findings model) for all states but the last.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { Page } from 'playwright-core';
import { launchChromium } from '../helpers/chromium.js';
import { CLI, startDevice } from '../helpers/device.js';
import { writeStandInFindingsModel } from '../helpers/findings-model.js';

const AXE_PATH = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const MIN_TARGET_PX = 48;
const PIN = '305719';
/** axe's "needs review" results, per state: logged with the test, never a failure. */
const reviewLog: string[] = [];

interface AxeNode { target: unknown[]; failureSummary?: string }
interface AxeViolation { id: string; impact: string | null; help: string; helpUrl: string; nodes: AxeNode[] }

/** axe-core on the page as it is now: one readable line per violation and failing node. */
async function axeProblems(page: Page, review: string[]): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE_PATH });
  const { violations, incomplete } = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: unknown[]; incomplete: unknown[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] });
    return { violations: result.violations, incomplete: result.incomplete };
  }, AXE_TAGS) as { violations: AxeViolation[]; incomplete: AxeViolation[] };
  // What axe cannot decide (e.g. text over the live image) is for a person to look at, not a failure.
  for (const v of incomplete) review.push(`[${v.id}] ${v.nodes.map((n) => n.target.map(String).join(' ')).join(', ')}`);
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => `    - ${n.target.map(String).join(' ')}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n\s*/g, ' ')}` : ''}`);
    return `[${v.id}] (${v.impact ?? 'n/a'}) ${v.help} — ${v.helpUrl}\n${nodes.join('\n')}`;
  });
}

/** Visible, enabled touch targets smaller than 48×48 CSS px, named by test id, label or text. */
async function smallTargets(page: Page): Promise<{ measured: number; small: string[] }> {
  return page.evaluate((min) => {
    const out: string[] = [];
    let measured = 0;
    for (const el of document.querySelectorAll<HTMLElement | SVGElement>('button, input:not([type="hidden"]), select, textarea, [role="button"], a[href]')) {
      if ((el as HTMLButtonElement).disabled) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || style.display === 'none') continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not rendered (a hidden ancestor)
      measured++;
      if (r.width >= min && r.height >= min) continue;
      const name = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? (el.textContent ?? '').trim().slice(0, 40);
      out.push(`${el.tagName.toLowerCase()} "${name}": ${Math.round(r.width)}×${Math.round(r.height)} px`);
    }
    return { measured, small: out };
  }, MIN_TARGET_PX);
}

/** Checks the page in the state `state` and adds what is wrong to `problems`. */
async function check(page: Page, state: string, problems: string[], checked: string[]): Promise<void> {
  const review: string[] = [];
  const axe = await axeProblems(page, review);
  if (review.length > 0) reviewLog.push(`${state}: axe could not decide: ${review.join('; ')}`);
  const { measured, small: touch } = await smallTargets(page);
  checked.push(`${state} (${measured} targets)`);
  if (axe.length > 0) problems.push(`${state}: ${axe.length} axe violation(s)\n${axe.map((a) => `  ${a}`).join('\n')}`);
  if (touch.length > 0) problems.push(`${state}: touch targets under ${MIN_TARGET_PX}×${MIN_TARGET_PX} px\n${touch.map((x) => `    - ${x}`).join('\n')}`);
}

async function provision(configDir: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, 'provision', '--config-dir', configDir, '--serial', 'PL-A11Y', '--site', 'Ward 5', '--pin-stdin'], (err) => (err ? reject(err) : resolve()));
    child.stdin!.end(`${PIN}\n`);
  });
}

test.serial('the kiosk passes axe (WCAG 2.1 A/AA) and has ≥ 48 px touch targets in every state', async (t) => {
  t.timeout(240_000);
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-a11y-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const configDir = path.join(dir, 'etc');
  fs.mkdirSync(configDir);
  await provision(configDir);
  const { manifestPath } = writeStandInFindingsModel(dir);
  const configFile = path.join(dir, 'config.json');
  fs.writeFileSync(configFile, JSON.stringify({ device: { configDir, requireProvisioning: true }, capture: { cineSeconds: 4, defaultSeconds: 1 } }));
  const problems: string[] = [];
  const checked: string[] = [];

  const launched = await launchChromium();
  t.teardown(() => launched.close());
  // The kiosk's CSP (default-src 'self') would block the injected axe script; the page itself is unchanged.
  const browser = await launched.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
  const device = await startDevice(['--mode', 'bmode', '--config', configFile, '--findings-model', manifestPath]);
  try {
    await device.until((s) => s.cine.frames >= 20 && (s.models[0]?.framesAnalyzed ?? 0) >= 5, 60_000, 'frames and findings');
    const page = await browser.newPage();
    const waitScanning = async (p: Page): Promise<void> => {
      await p.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
      await p.getByTestId('findings-panel').waitFor({ state: 'visible', timeout: 10_000 });
      await p.waitForFunction(() => /^\d/.test(document.querySelector('[data-testid="zone-score"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
      await p.getByTestId('exam-start').waitFor({ state: 'visible', timeout: 10_000 });
    };

    // Scanning: live image and findings, English and Dutch.
    await page.goto(device.url);
    await waitScanning(page);
    await check(page, 'scanning (en)', problems, checked);
    const nl = await browser.newPage();
    await nl.goto(`${device.url}/?lang=nl`);
    await waitScanning(nl);
    await check(nl, 'scanning (nl)', problems, checked);
    await nl.close();

    // Frozen: frame-by-frame review of the cine with a measurement on it.
    await page.getByTestId('freeze-button').click();
    await page.getByTestId('review-cine').click();
    await page.getByTestId('review-frame').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('review-prev').click();
    await page.getByTestId('measure-toggle').click();
    const layer = await page.getByTestId('measure-layer').boundingBox();
    await page.mouse.click(layer!.x + layer!.width * 0.4, layer!.y + layer!.height * 0.3);
    await page.mouse.click(layer!.x + layer!.width * 0.4, layer!.y + layer!.height * 0.6);
    await page.getByTestId('measure-value').filter({ hasText: /mm/ }).waitFor({ timeout: 5000 });
    await check(page, 'cine review with a measurement', problems, checked);
    await page.getByTestId('review-close').click();
    await page.getByTestId('freeze-button').click();
    await page.getByTestId('review-cine').waitFor({ state: 'hidden', timeout: 5000 });

    // The exam start dialog, with the protocol chosen.
    await page.getByTestId('exam-start').click();
    await page.getByTestId('exam-start-dialog').waitFor({ state: 'visible' });
    await page.getByTestId('exam-patient-id').fill('MRN-1');
    await page.getByTestId('exam-patient-name').fill('Jansen^Piet');
    await page.getByTestId('exam-operator').fill('nurse A');
    await page.getByTestId('protocol-lus-8').click();
    await check(page, 'exam start dialog', problems, checked);

    // An exam in progress: the body map, a zone chosen and one captured.
    await page.getByTestId('exam-start-submit').click();
    await page.getByTestId('exam-active').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('zone-R1').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-R1"]')?.getAttribute('data-current') === 'true', undefined, { timeout: 5000 });
    await page.getByTestId('exam-capture').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-R1"]')?.getAttribute('data-status') === 'captured', undefined, { timeout: 20_000 });
    await page.getByTestId('zone-R2').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-R2"]')?.getAttribute('data-current') === 'true', undefined, { timeout: 5000 });
    await check(page, 'exam in progress (body map)', problems, checked);

    // The summary, then its editor.
    await page.getByTestId('exam-finish').click();
    await page.getByTestId('exam-summary').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('summary-sync').filter({ hasText: /\S/ }).waitFor({ timeout: 10_000 });
    await check(page, 'exam summary', problems, checked);
    if ((await page.getByTestId('summary-edit-R1').count()) > 0) {
      await page.getByTestId('summary-edit-R1').click();
      await page.getByTestId('summary-editor-R1').waitFor({ state: 'visible' });
      await check(page, 'exam summary editor', problems, checked);
    }
    await page.close();

    // Maintenance: locked, then unlocked with the provisioned PIN.
    const m = await browser.newPage();
    await m.goto(`${device.url}/maintenance.html`);
    await m.getByTestId('m-unlock').waitFor({ state: 'visible' });
    await check(m, 'maintenance locked', problems, checked);
    await m.getByTestId('m-pin').fill(PIN);
    await m.getByTestId('m-unlock-button').click();
    await m.getByTestId('m-panels').waitFor({ state: 'visible', timeout: 10_000 });
    await m.getByTestId('m-serial').waitFor({ state: 'visible', timeout: 10_000 });
    await check(m, 'maintenance unlocked', problems, checked);
    await m.close();
  } finally {
    t.is(await device.stop(), 0);
  }

  // Not provisioned: a second device, with no device.json (no pipeline runs: it starts quickly).
  const npDir = path.join(dir, 'np');
  fs.mkdirSync(npDir);
  const npConfig = path.join(dir, 'np-config.json');
  fs.writeFileSync(npConfig, JSON.stringify({ device: { configDir: npDir, requireProvisioning: true } }));
  const np = await startDevice(['--config', npConfig]);
  try {
    const page = await browser.newPage();
    await page.goto(np.url);
    await page.getByTestId('not-provisioned').waitFor({ state: 'visible', timeout: 10_000 });
    await check(page, 'not provisioned', problems, checked);
  } finally {
    await np.stop();
  }

  t.log(`checked ${checked.length} states in ${((Date.now() - started) / 1000).toFixed(1)} s: ${checked.join(', ')}`);
  for (const line of reviewLog) t.log(line);
  if (problems.length > 0) t.fail(`accessibility problems:\n\n${problems.join('\n\n')}`);
  else t.pass();
});
