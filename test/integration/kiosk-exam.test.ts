/**
 * The guided lung exam on the kiosk, the whole device (`pleura start`, simulated probe, the
 * stand-in findings model so that zones get an AI score) with the page in Chromium: start an
 * 8-zone exam from the dialog, choose and capture three zones on the body map (one of them with
 * "Record next"), Finish → the summary in review mode with the exam still open (three zone scores,
 * the total, decision support, "not sent yet"), back to scanning and again, correct one zone's
 * B-lines and score there (AI and edited value shown, the edited score in the total), then
 * "Finish and send" → finished mode (no destination: queued). Screenshots at 1280×800:
 * test-artifacts/exam-*.png.
 */
import fs from 'node:fs';
import test from 'ava';
import type { Page } from 'playwright-core';
import type { ExamDetail } from '../../device/exam/records.js';
import { launchChromium } from '../helpers/chromium.js';
import { get } from '../helpers/exam-api.js';
import { startStandInDevice } from '../helpers/stand-in-device.js';

const ARTIFACTS = 'test-artifacts';

async function zoneStatus(page: Page, zone: string): Promise<{ status: string; current: string; text: string }> {
  const g = page.getByTestId(`zone-${zone}`);
  return {
    status: (await g.getAttribute('data-status')) ?? '',
    current: (await g.getAttribute('data-current')) ?? '',
    text: (await g.locator('.zone-status').textContent()) ?? '',
  };
}

test.serial('a guided 8-zone exam on the kiosk: start, choose and capture three zones, finish, summary with scores and total', async (t) => {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const device = await startStandInDevice(t, 'kiosk-exam');
  const browser = await launchChromium();
  try {
    await device.until((s) => s.cine.frames >= 20 && (s.models[0]?.framesAnalyzed ?? 0) >= 5, 60_000, 'frames and findings');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(device.url);
    await page.getByTestId('image-frame').waitFor({ state: 'visible', timeout: 10_000 });
    await page.getByTestId('exam-start').waitFor({ state: 'visible', timeout: 10_000 });
    const startBox = await page.getByTestId('exam-start').boundingBox();
    t.true((startBox?.height ?? 0) >= 48, 'Start exam: touch target ≥ 48 px');

    // The dialog: a missing field is said, not sent.
    await page.getByTestId('exam-start').click();
    await page.getByTestId('exam-start-dialog').waitFor({ state: 'visible' });
    await page.getByTestId('exam-start-submit').click();
    t.regex((await page.getByTestId('exam-start-error').textContent()) ?? '', /Fill in the patient ID/);
    await page.getByTestId('exam-patient-id').fill('MRN-2231-77');
    await page.getByTestId('exam-patient-name').fill('Visser^Anna');
    await page.getByTestId('exam-operator').fill('nurse Bo');
    await page.getByTestId('protocol-lus-8').click();
    t.is(await page.getByTestId('protocol-lus-8').getAttribute('aria-pressed'), 'true');
    const inputBox = await page.getByTestId('exam-patient-id').boundingBox();
    t.true((inputBox?.height ?? 0) >= 48, 'patient field ≥ 48 px high');
    await page.screenshot({ path: `${ARTIFACTS}/exam-start.png` });
    await page.getByTestId('exam-start-submit').click();

    // The exam: 8 zones on the map, the first chosen by the device's suggestion.
    await page.getByTestId('exam-active').waitFor({ state: 'visible', timeout: 10_000 });
    t.is(await page.getByTestId('exam-start-dialog').isVisible(), false);
    t.is(await page.locator('.body-map .zone').count(), 8);
    await page.waitForFunction(() => document.querySelector('[data-testid="zone-R1"]')?.getAttribute('data-current') === 'true', undefined, { timeout: 5000 });
    const open = await get<ExamDetail | null>(device.url, '/api/exam/current');
    t.like(open, { protocol: 'lus-8', operator: 'nurse Bo', currentZone: 'R1', state: 'open' });
    t.deepEqual(open?.patient && { id: open.patient.id, name: open.patient.name }, { id: 'MRN-2231-77', name: 'Visser^Anna' });
    for (const z of ['R1', 'R3', 'L2']) {
      const box = await page.getByTestId(`zone-${z}`).boundingBox();
      t.true((box?.width ?? 0) >= 48 && (box?.height ?? 0) >= 48, `zone ${z} touch target ${box?.width}×${box?.height}`);
    }
    // The live findings panel has a zone score before the first capture.
    await page.waitForFunction(() => /^\d/.test(document.querySelector('[data-testid="zone-score"]')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const panelScore = Number(((await page.getByTestId('zone-score').textContent()) ?? '').trim().split(' ')[0]);

    // The capture buttons are worded with the device's capture.defaultSeconds (1 s here).
    t.is((await page.getByTestId('exam-capture-next').textContent())?.trim(), 'Record next 1 s');
    const captureZone = async (zone: string, next = false): Promise<void> => {
      await page.getByTestId(`zone-${zone}`).click();
      await page.waitForFunction((z) => document.querySelector(`[data-testid="zone-${z}"]`)?.getAttribute('data-current') === 'true', zone, { timeout: 5000 });
      t.is((await page.getByTestId('exam-capture').textContent())?.trim(), `Save last 1 s of ${zone}`);
      if (next) {
        await page.getByTestId('exam-capture-next').click();
        // While recording: said on the button, and neither capture can be pressed again.
        await page.waitForFunction(() => document.querySelector('[data-testid="exam-capture-next"]')?.getAttribute('data-recording') === 'true', undefined, { timeout: 5000 });
        t.is((await page.getByTestId('exam-capture-next').textContent())?.trim(), 'Recording…');
        t.true(await page.getByTestId('exam-capture').isDisabled());
        t.true(await page.getByTestId('exam-capture-next').isDisabled());
      } else {
        await page.getByTestId('exam-capture').click();
      }
      await page.waitForFunction((z) => document.querySelector(`[data-testid="zone-${z}"]`)?.getAttribute('data-status') === 'captured', zone, { timeout: 20_000 });
    };
    await captureZone('R1');
    t.regex((await page.getByTestId('exam-next').textContent()) ?? '', /Next: R2/, 'the first zone without a clip is suggested');
    t.is(await page.getByTestId('zone-R2').getAttribute('data-next'), 'true');
    await captureZone('R3', true);
    await captureZone('L2');
    for (const z of ['R1', 'R3', 'L2']) {
      const s = await zoneStatus(page, z);
      t.is(s.status, 'captured');
      t.is(s.text, `AI ${panelScore}`, `${z}: the AI score from the findings panel`);
    }
    t.like(await zoneStatus(page, 'R2'), { status: 'not-scanned', text: '' });
    t.is(await page.getByTestId('zone-L2').getAttribute('data-current'), 'true');
    t.regex((await page.getByTestId('exam-patient').textContent()) ?? '', /3\/8 zones/);
    for (const id of ['exam-capture', 'exam-capture-next', 'exam-finish']) {
      const box = await page.getByTestId(id).boundingBox();
      t.true((box?.height ?? 0) >= 48, `${id}: touch target ≥ 48 px (${box?.height})`);
    }
    await page.screenshot({ path: `${ARTIFACTS}/exam-body-map.png` });
    const during = await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`);
    t.deepEqual(during.clips.map((c) => c.zone), ['R1', 'R3', 'L2']);
    t.deepEqual(during.clips.map((c) => c.kind), ['retrospective', 'prospective', 'retrospective']);

    // Finish → the summary in review mode; the exam is still open. Back to scanning, and again.
    await page.getByTestId('exam-finish').click();
    await page.getByTestId('exam-summary').waitFor({ state: 'visible', timeout: 10_000 });
    t.is(await page.getByTestId('exam-summary').getAttribute('data-mode'), 'review');
    t.is(await page.getByTestId('summary-print').isVisible(), false);
    t.is(await page.getByTestId('summary-close').isVisible(), false);
    t.like(await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`), { state: 'open' });
    t.is(await page.getByTestId('summary-sync').getAttribute('data-state'), 'local');
    t.is((await page.getByTestId('summary-sync').textContent())?.trim(), 'Sync: Not sent yet (exam open)');
    for (const id of ['summary-back', 'summary-finish']) {
      const box = await page.getByTestId(id).boundingBox();
      t.true((box?.height ?? 0) >= 48 && (box?.width ?? 0) >= 48, `${id}: touch target ${box?.width}×${box?.height}`);
    }
    await page.getByTestId('summary-back').click();
    await page.getByTestId('exam-summary').waitFor({ state: 'hidden', timeout: 5000 });
    t.true(await page.getByTestId('exam-active').isVisible(), 'back to scanning: the exam is still open');
    t.like(await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`), { state: 'open' });
    await page.getByTestId('exam-finish').click();
    await page.getByTestId('exam-summary').waitFor({ state: 'visible', timeout: 10_000 });
    const rows = page.getByTestId('summary-rows').locator('tr');
    t.is(await rows.count(), 8);
    const scores: Record<string, string> = {};
    for (let i = 0; i < 8; i++) {
      const row = rows.nth(i);
      scores[(await row.getAttribute('data-zone'))!] = ((await row.locator('.summary-score').textContent()) ?? '').trim();
    }
    t.deepEqual(scores, { R1: String(panelScore), R2: '—', R3: String(panelScore), R4: '—', L1: '—', L2: String(panelScore), L3: '—', L4: '—' });
    t.is(await page.getByTestId('summary-total').getAttribute('data-total'), String(3 * panelScore));
    t.regex((await page.getByTestId('summary-total').textContent()) ?? '', new RegExp(`Total LUS score \\(AI\\): ${3 * panelScore} — 3 of 8 zones scored`));
    t.regex((await page.getByTestId('exam-summary').textContent()) ?? '', /decision support, not a diagnosis/);
    t.regex((await page.getByTestId('summary-rows').textContent()) ?? '', /B-lines/, 'the AI findings stored with the clips');
    await page.screenshot({ path: `${ARTIFACTS}/exam-summary.png` });

    // Edit R3: B-lines up by two, score changed by one; both AI and edited values shown, the edited score in the total.
    const before = await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`);
    const aiR3 = before.findings.filter((f) => f.zone === 'R3').at(-1)!;
    const aiBLines = aiR3.values.bLineCount ?? 0;
    t.is(await page.getByTestId('summary-edit-R2').count(), 0, 'no Edit where there is no finding');
    await page.getByTestId('summary-edit-R3').click();
    await page.getByTestId('summary-editor-R3').waitFor({ state: 'visible' });
    for (const id of ['summary-edit-R3', 'summary-edit-bLineCount-more', 'summary-edit-bLineCount-less', 'summary-edit-zoneScore-more', 'summary-edit-zoneScore-less']) {
      const box = await page.getByTestId(id).boundingBox();
      t.true((box?.height ?? 0) >= 48 && (box?.width ?? 0) >= 48, `${id}: touch target ${box?.width}×${box?.height}`);
    }
    await page.getByTestId('summary-edit-bLineCount-more').click();
    await page.getByTestId('summary-edit-bLineCount-more').click();
    const newScore = panelScore >= 3 ? panelScore - 1 : panelScore + 1;
    await page.getByTestId(newScore > panelScore ? 'summary-edit-zoneScore-more' : 'summary-edit-zoneScore-less').click();
    await page.screenshot({ path: `${ARTIFACTS}/exam-summary-edit.png` });
    await page.getByTestId('summary-edit-save').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-R3"]')?.getAttribute('data-edited') === 'true', undefined, { timeout: 10_000 });
    t.regex((await page.getByTestId('summary-findings-R3').textContent()) ?? '', new RegExp(`B-lines: AI ${aiBLines} → edited ${Math.min(30, aiBLines + 2)}`));
    t.is(((await page.getByTestId('summary-R3').locator('.summary-score').textContent()) ?? '').trim(), `AI ${panelScore} → edited ${newScore}`);
    const editedTotal = 2 * panelScore + newScore;
    t.is(await page.getByTestId('summary-total').getAttribute('data-total'), String(editedTotal));
    t.regex((await page.getByTestId('summary-total').textContent()) ?? '', new RegExp(`Total LUS score \\(AI, 1 edited\\): ${editedTotal} — 3 of 8 zones scored`));
    const afterEdit = await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`);
    const r3 = afterEdit.findings.find((f) => f.id === aiR3.id)!;
    t.deepEqual(r3.values, aiR3.values, 'the AI values are kept');
    t.deepEqual(r3.edit?.values, { bLineCount: Math.min(30, aiBLines + 2), zoneScore: newScore });
    t.is(r3.edit?.operator, 'nurse Bo');
    t.is(afterEdit.state, 'open', 'edited during the review, before finishing');
    t.is(await page.getByTestId('exam-summary').getAttribute('data-mode'), 'review');
    await page.screenshot({ path: `${ARTIFACTS}/exam-summary-edited.png` });

    // Finish and send → finished mode; no destination is configured here: queued.
    await page.getByTestId('summary-finish').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="exam-summary"]')?.getAttribute('data-mode') === 'finished', undefined, { timeout: 10_000 });
    t.is(await page.getByTestId('summary-back').isVisible(), false);
    t.is(await page.getByTestId('summary-finish').isVisible(), false);
    t.is(await page.getByTestId('summary-sync').getAttribute('data-state'), 'waiting');
    t.is((await page.getByTestId('summary-sync').textContent())?.trim(), 'Sync: Kept on this device: no destination configured');
    t.regex((await page.getByTestId('summary-findings-R3').textContent()) ?? '', new RegExp(`B-lines: AI ${aiBLines} → edited ${Math.min(30, aiBLines + 2)}`), 'the edit is kept');
    await page.screenshot({ path: `${ARTIFACTS}/exam-summary-finished.png` });
    await page.emulateMedia({ media: 'print' });
    t.is(await page.getByTestId('image-area').isVisible(), false, 'print: only the summary');
    t.is(await page.getByTestId('summary-total').isVisible(), true);
    await page.emulateMedia({ media: 'screen' });
    const finished = await get<ExamDetail>(device.url, `/api/exam?id=${open!.id}`);
    t.is(finished.state, 'finished');
    t.deepEqual(finished.findings.find((f) => f.id === aiR3.id)?.edit?.values, { bLineCount: Math.min(30, aiBLines + 2), zoneScore: newScore });
    t.is(await get(device.url, '/api/exam/current'), null);

    await page.getByTestId('summary-close').click();
    await page.getByTestId('exam-start').waitFor({ state: 'visible', timeout: 5000 });
    t.is(await page.getByTestId('exam-active').isVisible(), false);

    // Dutch: the exam strings are translated.
    const nl = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await nl.goto(`${device.url}/?lang=nl`);
    await nl.getByTestId('exam-start').waitFor({ state: 'visible', timeout: 10_000 });
    t.is((await nl.getByTestId('exam-start').textContent())?.trim(), 'Onderzoek starten');
    t.is((await nl.getByTestId('summary-back').textContent())?.trim(), 'Terug naar scannen');
    t.is((await nl.getByTestId('summary-finish').textContent())?.trim(), 'Afronden en verzenden');
  } finally {
    await browser.close();
    t.is(await device.stop(), 0);
  }
});
