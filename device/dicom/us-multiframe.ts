/**
 * One captured clip as an Ultrasound Multi-frame Image (8-bit MONOCHROME2, Explicit VR Little
 * Endian, all frames in one Pixel Data element). Modules: Patient (pseudonymous), General
 * Study, General Series, General Equipment, General Acquisition, General Image (zone in Image
 * Comments, side in Image Laterality), Image Pixel, Cine, Multi-frame, US Region Calibration
 * (so distances can be measured in cm), US Image, SOP Common. dciodvfy reports nothing for it
 * (test/integration/exam-dciodvfy.test.ts).
 */
import type { ClipRecord, PseudonymousPatient } from '../exam/records.js';
import { pseudonymousPatientModule } from './deidentify.js';
import { generalStudyModule } from './general-study.js';
import { da, ds, dt, tm } from './dicom-time.js';
import { MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION } from './equipment.js';
import { writePart10, type Dataset } from './part10.js';

export const US_MULTIFRAME_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.3.1';

export interface ClipExamContext {
  id: string;
  studyUid: string;
  seriesUid: string;
  startedAt: string;
}

export type ClipGeometry = Pick<
  ClipRecord,
  'sopUid' | 'instanceNumber' | 'zone' | 'laterality' | 'capturedAt' | 'frames' | 'rows' | 'cols' | 'frameRateHz' | 'mmPerPixel' | 'topDepthMm' | 'probe' | 'preset' | 'depthMm'
>;

export interface ClipObjectInput {
  patient: PseudonymousPatient;
  exam: ClipExamContext;
  clip: ClipGeometry;
  /** frames × rows × cols bytes, frame after frame, row-major. */
  pixels: Uint8Array;
}

export function clipDataset(input: ClipObjectInput): Dataset {
  const { exam, clip, pixels } = input;
  const expected = clip.frames * clip.rows * clip.cols;
  if (pixels.byteLength !== expected) {
    throw new RangeError(`clip pixels are ${pixels.byteLength} bytes, expected ${clip.frames} × ${clip.rows} × ${clip.cols} = ${expected}`);
  }
  const frameTimeMs = 1000 / clip.frameRateHz;
  const cmPerPixel = clip.mmPerPixel / 10;
  // Row of the skin line (depth 0) in the image; the sector's apex can lie above row 0.
  const skinRow = Math.round(-clip.topDepthMm / clip.mmPerPixel);
  // One contiguous buffer: for native transfer syntaxes dcmjs writes only PixelData[0].
  const pixelBuffer = pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength ? pixels.buffer : pixels.slice().buffer;
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: US_MULTIFRAME_SOP_CLASS,
    SOPInstanceUID: clip.sopUid,
    InstanceCreationDate: da(clip.capturedAt),
    InstanceCreationTime: tm(clip.capturedAt),
    TimezoneOffsetFromUTC: '+0000',
    ...pseudonymousPatientModule(input.patient),
    ...generalStudyModule(exam),
    // General Series
    Modality: 'US',
    SeriesInstanceUID: exam.seriesUid,
    SeriesNumber: '1',
    SeriesDescription: 'Lung ultrasound clips',
    BodyPartExamined: 'CHEST',
    // General Equipment (Retain Device Identity: the probe's serial)
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: MODEL_NAME,
    DeviceSerialNumber: clip.probe.serial.slice(0, 64) || 'unknown',
    SoftwareVersions: [`pleura ${SOFTWARE_VERSION}`, `probe ${clip.probe.model}`.slice(0, 64)],
    // General Acquisition / General Image
    AcquisitionDateTime: dt(clip.capturedAt),
    InstanceNumber: String(clip.instanceNumber),
    PatientOrientation: '',
    ContentDate: da(clip.capturedAt),
    ContentTime: tm(clip.capturedAt),
    // Value 3 must be a US defined term (CHEST); value 4 "0001" = 2D imaging.
    ImageType: ['ORIGINAL', 'PRIMARY', 'CHEST', '0001'],
    ImageLaterality: clip.laterality,
    ImageComments: `zone ${clip.zone}`,
    BurnedInAnnotation: 'NO',
    RecognizableVisualFeatures: 'NO',
    LossyImageCompression: '00',
    // Image Pixel / US Image
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: clip.rows,
    Columns: clip.cols,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    // Cine + Multi-frame
    NumberOfFrames: String(clip.frames),
    FrameIncrementPointer: 0x00181063, // → Frame Time
    FrameTime: ds(frameTimeMs),
    CineRate: String(Math.max(1, Math.round(clip.frameRateHz))),
    // US Region Calibration: one 2D tissue region covering the image, in cm.
    SequenceOfUltrasoundRegions: [
      {
        RegionSpatialFormat: 1,
        RegionDataType: 1,
        RegionFlags: 0,
        RegionLocationMinX0: 0,
        RegionLocationMinY0: 0,
        RegionLocationMaxX1: clip.cols - 1,
        RegionLocationMaxY1: clip.rows - 1,
        ReferencePixelX0: Math.round(clip.cols / 2),
        ReferencePixelY0: skinRow,
        ReferencePixelPhysicalValueX: 0,
        ReferencePixelPhysicalValueY: 0,
        PhysicalUnitsXDirection: 3,
        PhysicalUnitsYDirection: 3,
        PhysicalDeltaX: cmPerPixel,
        PhysicalDeltaY: cmPerPixel,
      },
    ],
    PixelData: [pixelBuffer],
    _vrMap: { PixelData: 'OB' },
  };
}

export function buildClipObject(input: ClipObjectInput): Uint8Array {
  return writePart10(clipDataset(input));
}
