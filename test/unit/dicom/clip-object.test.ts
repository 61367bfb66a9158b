/** The US Multi-frame object of a clip, read back with dcmjs (dciodvfy: test/integration/exam-dciodvfy.test.ts). */
import test from 'ava';
import { assertNoIdentity, IdentityLeakError, identityNeedles } from '../../../device/dicom/deidentify.js';
import { readPart10 } from '../../../device/dicom/part10.js';
import { isValidUid, newUid, uidFromName } from '../../../device/dicom/uid.js';
import { buildClipObject, clipDataset, US_MULTIFRAME_SOP_CLASS, type ClipObjectInput } from '../../../device/dicom/us-multiframe.js';
import { syntheticPixels } from '../store/fixtures.js';

function input(): ClipObjectInput {
  return {
    patient: { pseudonym: 'PLP-0123456789ABCDEF' },
    exam: { id: 'E20250114-7K3Q9A', studyUid: newUid(), seriesUid: newUid(), startedAt: '2025-01-14T09:30:00.000Z' },
    clip: {
      sopUid: newUid(),
      instanceNumber: 3,
      zone: 'L4',
      laterality: 'L',
      capturedAt: '2025-01-14T09:31:12.345Z',
      frames: 7,
      rows: 40,
      cols: 56,
      frameRateHz: 30,
      mmPerPixel: 0.4,
      topDepthMm: -8,
      probe: { model: 'SIM-C5-2v', serial: 'SIM000001' },
      preset: 'lung',
      depthMm: 120,
    },
    pixels: syntheticPixels(7, 40, 56),
  };
}

test('all frames, geometry and calibration survive the round trip', (t) => {
  const i = input();
  const ds = readPart10(buildClipObject(i));
  t.is(ds.SOPClassUID, US_MULTIFRAME_SOP_CLASS);
  t.is(ds.SOPInstanceUID, i.clip.sopUid);
  t.is(ds.StudyInstanceUID, i.exam.studyUid);
  t.is(Number(ds.NumberOfFrames), 7);
  t.is(ds.Rows, 40);
  t.is(ds.Columns, 56);
  const pixels = new Uint8Array((ds.PixelData as ArrayBuffer[])[0]!);
  t.is(pixels.byteLength, 7 * 40 * 56, 'every frame, not only the first');
  t.deepEqual(pixels, i.pixels);
  t.is(Number(ds.FrameTime), 33.333);
  t.is(ds.ImageLaterality, 'L');
  t.is(ds.ImageComments, 'zone L4');
  t.is(ds.StudyDate, '20250114');
  t.is(ds.ContentTime, '093112');
  const region = (ds.SequenceOfUltrasoundRegions as Array<Record<string, number>>)[0]!;
  t.is(region.PhysicalUnitsXDirection, 3, 'cm');
  t.is(region.PhysicalDeltaX, 0.04);
  t.is(region.ReferencePixelY0, 20, 'skin line 8 mm below the top row at 0.4 mm/pixel');
  t.is(ds.PatientIdentityRemoved, 'YES');
  t.is(ds.PatientID, 'PLP-0123456789ABCDEF');
  t.deepEqual((ds.DeidentificationMethodCodeSequence as Array<{ CodeValue: string }>).map((c) => c.CodeValue), ['113100', '113105', '113106', '113109']);
  t.false('OperatorsName' in ds);
  t.false('InstitutionName' in ds);
});

test('the same clip builds to the same bytes (what the outbox sends is what was stored)', (t) => {
  const i = input();
  t.deepEqual(buildClipObject(i), buildClipObject(i));
});

test('wrong pixel count is refused', (t) => {
  const i = input();
  i.pixels = i.pixels.subarray(1);
  t.throws(() => clipDataset(i), { instanceOf: RangeError, message: /expected 7 × 40 × 56/ });
});

test('the identity guard finds the real ID or name as a word anywhere but in UIDs and pixels', (t) => {
  const identity = { id: '333', name: 'de Vries^Anna' };
  t.deepEqual(identityNeedles(identity), ['333', 'de vries anna', 'anna vries de']);
  const ds = clipDataset(input());
  t.notThrows(() => assertNoIdentity({ ...ds, FrameTime: '33.333', X: 'a333b' }, identity));
  t.throws(() => assertNoIdentity({ ...ds, PatientComments: 'id 333' }, identity), { instanceOf: IdentityLeakError, message: /PatientComments/ });
  t.throws(() => assertNoIdentity({ ...ds, ContentSequence: [{ TextValue: 'DE VRIES^ANNA' }] }, identity), { instanceOf: IdentityLeakError, message: /TextValue/ });
  t.notThrows(() => assertNoIdentity({ ...ds, StudyInstanceUID: '2.25.333' }, identity));
});

test('UIDs: random ones are valid and distinct; name-based ones are stable', (t) => {
  const a = newUid();
  t.true(isValidUid(a));
  t.not(a, newUid());
  t.is(uidFromName('2.25.1', 'zone R1'), uidFromName('2.25.1', 'zone R1'));
  t.not(uidFromName('2.25.1', 'zone R1'), uidFromName('2.25.1', 'zone R2'));
  t.true(isValidUid(uidFromName('2.25.1', 'zone R1')));
  t.false(isValidUid('1.02.3'));
});
