import test from 'ava';
import { PROTOCOLS } from '../../../device/exam/protocols.js';
import type { ExamDetailView } from '../../../ui-kiosk/web/exam/exam-client.js';
import { summarise, syncState } from '../../../ui-kiosk/web/exam/exam-summary.js';
import { useCatalogue } from '../../../ui-kiosk/web/i18n/messages.js';
import { en } from '../../../ui-kiosk/web/i18n/en.js';
import { nl } from '../../../ui-kiosk/web/i18n/nl.js';
import { EXAM_PROTOCOLS, MAP_WIDTH, mapHeight, nextZone, protocolZones, zoneShapes } from '../../../ui-kiosk/web/exam/lung-zones.js';

test("the page's protocols are the device's, zone for zone, in the device's order", (t) => {
  t.deepEqual(EXAM_PROTOCOLS.map((p) => p.id).sort(), Object.keys(PROTOCOLS).sort());
  for (const p of EXAM_PROTOCOLS) t.deepEqual(protocolZones(p.id), [...PROTOCOLS[p.id]!.zones]);
});

test('the next zone is the first without a clip, in protocol order', (t) => {
  const zones = protocolZones('lus-8');
  t.is(nextZone(zones, new Set()), 'R1');
  t.is(nextZone(zones, new Set(['R1', 'R3', 'L2'])), 'R2');
  t.is(nextZone(zones, new Set(zones)), null);
});

test('every zone is on the map, inside it, touchable (≥ 48 px) and apart from the others', (t) => {
  for (const p of EXAM_PROTOCOLS) {
    const shapes = zoneShapes(p.id);
    t.deepEqual(shapes.map((s) => s.zone), protocolZones(p.id));
    for (const s of shapes) {
      t.true(s.width >= 48 && s.height >= 48, `${p.id} ${s.zone}: ${s.width}×${s.height}`);
      t.true(s.x >= 0 && s.y >= 0 && s.x + s.width <= MAP_WIDTH && s.y + s.height <= mapHeight(p.id), `${p.id} ${s.zone} inside the map`);
      for (const o of shapes) {
        if (o === s) continue;
        const overlap = s.x < o.x + o.width && o.x < s.x + s.width && s.y < o.y + o.height && o.y < s.y + s.height;
        t.false(overlap, `${p.id}: ${s.zone} and ${o.zone} overlap`);
      }
    }
  }
  // The front view faces the operator: the patient's right anterior zone is left of the left one.
  const front = zoneShapes('lus-12');
  t.true(front.find((s) => s.zone === 'R1')!.x < front.find((s) => s.zone === 'L1')!.x);
  t.true(front.find((s) => s.zone === 'R5')!.x > front.find((s) => s.zone === 'L5')!.x, 'the back view is seen from behind');
});

test('the summary: scores per zone, the total of scored zones, unscored and unscanned zones apart', (t) => {
  const exam: ExamDetailView = {
    id: 'E20250114-7K3Q9A', state: 'finished', patient: { id: 'MRN-1', name: 'A^B' }, operator: 'nurse A', protocol: 'lus-6',
    startedAt: '', finishedAt: '', currentZone: 'L1',
    clips: [{ id: 'C1', zone: 'R1', capturedAt: '' }, { id: 'C2', zone: 'R2', capturedAt: '' }, { id: 'C3', zone: 'L1', capturedAt: '' }, { id: 'C4', zone: 'L3', capturedAt: '' }],
    findings: [{ id: 'FAAAAAAAAAAAA', clipId: 'C3', zone: 'L1', values: { zoneScore: 3, bLineCount: 9 }, confidence: 0.9 }],
  };
  const recorded = new Map([
    ['R1', { score: 2, findings: { bLineCount: 4 } }],
    ['R2', { score: null, findings: null }],
    ['L3', { score: 0, findings: null }],
  ]);
  const s = summarise(exam, recorded);
  t.deepEqual(s.zones.map((z) => [z.zone, z.clips, z.score]), [['R1', 1, 2], ['R2', 1, null], ['R3', 0, null], ['L1', 1, 3], ['L2', 0, null], ['L3', 1, 0]]);
  t.is(s.total, 5);
  t.is(s.scored, 3, 'a score of 0 counts as scored');
  t.deepEqual(s.zones.find((z) => z.zone === 'L1')!.findings, { zoneScore: 3, bLineCount: 9 }, 'stored findings first');
  t.deepEqual(s.zones.find((z) => z.zone === 'R1')!.findings, { bLineCount: 4 }, 'else what was seen at capture');
});

test('an edited zone score replaces the AI score in the total; both are kept for display', (t) => {
  const exam: ExamDetailView = {
    id: 'E20250114-7K3Q9A', state: 'finished', patient: { id: 'P', name: 'N' }, operator: 'op', protocol: 'lus-6', startedAt: '', finishedAt: '', currentZone: null,
    clips: [{ id: 'C1', zone: 'R1', capturedAt: '' }, { id: 'C2', zone: 'L1', capturedAt: '' }],
    findings: [
      { id: 'F1', clipId: 'C1', zone: 'R1', values: { zoneScore: 1, bLineCount: 2 }, confidence: 0.9, edit: { values: { zoneScore: 3, bLineCount: 8 }, operator: 'op', at: '' } },
      { id: 'F2', clipId: 'C2', zone: 'L1', values: { zoneScore: 2 }, confidence: 0.9, edit: null },
    ],
  };
  const s = summarise(exam, new Map([['R1', { score: 1, findings: null }]]));
  const r1 = s.zones.find((z) => z.zone === 'R1')!;
  t.like(r1, { score: 3, aiScore: 1, edit: { zoneScore: 3, bLineCount: 8 }, findings: { zoneScore: 1, bLineCount: 2 } });
  t.is(r1.finding?.id, 'F1');
  t.is(s.total, 5);
  t.is(s.edited, 1);
});

test("the summary's sync line: the raw state for tests, words for people, in English and Dutch", (t) => {
  const sync = (state: string, objects = 0, verified = 0, lastError: string | null = null) => ({ state, objects, verified, lastError });
  useCatalogue(en);
  t.deepEqual(syncState({ state: 'open', sync: sync('local') }), { state: 'local', words: 'Not sent yet (exam open)' });
  t.deepEqual(syncState({ state: 'open' }), { state: 'local', words: 'Not sent yet (exam open)' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('waiting', 9) }), { state: 'waiting', words: 'Kept on this device: no destination configured' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('queued', 9) }), { state: 'queued', words: 'Queued: waiting its turn to be sent' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('sending', 9, 3) }), { state: 'sending', words: 'Sending… 3 of 9 sent' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('sending', 9, 3, 'ECONNREFUSED') }), { state: 'sending', words: 'Sending… 3 of 9 sent — last attempt failed, trying again: ECONNREFUSED' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('synced', 9, 9) }), { state: 'synced', words: 'Synced' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('synced', 9, 9), reviewed: true }), { state: 'reviewed', words: 'Reviewed by a remote reviewer' });
  useCatalogue(nl);
  t.deepEqual(syncState({ state: 'finished', sync: sync('sending', 9, 3) }), { state: 'sending', words: 'Bezig met verzenden… 3 van 9 verzonden' });
  t.deepEqual(syncState({ state: 'finished', sync: sync('synced', 9, 9) }), { state: 'synced', words: 'Verzonden' });
  useCatalogue(en);
});
