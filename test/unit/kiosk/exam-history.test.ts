/** Where an exam stands, in the word the kiosk's "Recent exams" list shows. */
import test from 'ava';
import { historyState } from '../../../ui-kiosk/web/exam/exam-history.js';
import { formatBytes } from '../../../ui-kiosk/web/status-bar.js';
import { personName } from '../../../ui-kiosk/web/exam/person-name.js';

test('open, kept on the device, queued, sending, synced, reviewed', (t) => {
  t.is(historyState({ state: 'open', syncState: 'local', reviewed: false }), 'open');
  t.is(historyState({ state: 'finished', syncState: 'waiting', reviewed: false }), 'waiting');
  t.is(historyState({ state: 'finished', syncState: 'queued', reviewed: false }), 'queued');
  t.is(historyState({ state: 'finished', syncState: 'sending', reviewed: false }), 'sending');
  t.is(historyState({ state: 'finished', syncState: 'synced', reviewed: false }), 'synced');
  t.is(historyState({ state: 'finished', syncState: 'synced', reviewed: true }), 'reviewed', 'a reviewed exam says so');
  t.is(historyState({ state: 'finished', syncState: 'something new', reviewed: false }), 'sending', 'an unknown state never reads as synced');
});

test('storage figures in decimal units', (t) => {
  t.is(formatBytes(79.8e9), '80 GB');
  t.is(formatBytes(4.25e9), '4.3 GB');
  t.is(formatBytes(850e6), '850 MB');
  t.is(formatBytes(0), '0 MB');
});

test('a DICOM person name the way people read it', (t) => {
  t.is(personName('Visser^Anna'), 'Visser, Anna');
  t.is(personName('de Vries^Jan^Pieter^dr.'), 'de Vries, dr. Jan Pieter');
  t.is(personName('Jansen'), 'Jansen');
  t.is(personName('Jansen^'), 'Jansen');
  t.is(personName('Anna Visser'), 'Anna Visser', 'typed without carets: as typed');
});
