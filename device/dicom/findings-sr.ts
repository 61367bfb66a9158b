/**
 * The exam's lung findings as a Comprehensive SR following TID 1500 (Measurement Report): the
 * clips in the Image Library, and one TID 1501 Measurement Group per zone with the zone's best
 * finding (highest confidence): B-line count, zone score, confidence, pleural line, consolidation,
 * effusion and sliding, the algorithm's name and version, and a Source reference to the clip
 * and key frame. VerificationFlag UNVERIFIED: it is machine output; a reviewer's report is a
 * separate SR.
 *
 * A value the operator corrected on the device is reported next to the AI's, never instead of
 * it: the AI value stays as above, and the operator's is a second NUM item with the same concept
 * whose observer context (TID 1002) is the operator as a person observer.
 *
 * Everything in it comes from stored data (UIDs, times), so building it again after an
 * interrupted "finish" gives the same object.
 */
import type { ClipRecord, FindingRecord, PseudonymousPatient } from '../exam/records.js';
import { pseudonymousPatientModule } from './deidentify.js';
import { generalStudyModule } from './general-study.js';
import { da, tm } from './dicom-time.js';
import { MANUFACTURER, MODEL_NAME, SOFTWARE_VERSION } from './equipment.js';
import { writePart10, type Dataset } from './part10.js';
import { CODES, LOCAL_SCHEME, codeItem, container, imageItem, numItem, pnameItem, presence, textItem, uidItem, type Code, type ContentItem } from './sr-items.js';
import { uidFromName } from './uid.js';
import { US_MULTIFRAME_SOP_CLASS, type ClipExamContext } from './us-multiframe.js';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';

export interface FindingsReportInput {
  patient: PseudonymousPatient;
  exam: ClipExamContext & { finishedAt: string; srSeriesUid: string; srSopUid: string };
  clips: Array<Pick<ClipRecord, 'id' | 'sopUid' | 'zone' | 'laterality'>>;
  findings: FindingRecord[];
  deviceObserverUid: string;
}

/**
 * The finding per zone that the report carries: one the operator corrected (the zone's finding
 * a person looked at), else the most confident one.
 */
export function bestFindingPerZone(findings: FindingRecord[]): FindingRecord[] {
  const best = new Map<string, FindingRecord>();
  const rank = (f: FindingRecord): [number, number, string] => [f.edit ? 1 : 0, f.confidence, f.createdAt];
  const better = (a: FindingRecord, b: FindingRecord): boolean => {
    const [x, y] = [rank(a), rank(b)];
    return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] > y[1] : x[2] > y[2];
  };
  for (const f of findings) {
    const b = best.get(f.zone);
    if (!b || better(f, b)) best.set(f.zone, f);
  }
  return [...best.values()].sort((a, b) => a.zone.localeCompare(b.zone));
}

function measurementGroup(input: FindingsReportInput, f: FindingRecord): ContentItem {
  const clip = input.clips.find((c) => c.id === f.clipId);
  if (!clip) throw new RangeError(`finding ${f.id} refers to clip ${f.clipId}, which is not in exam ${input.exam.id}`);
  const v = f.values;
  const items: ContentItem[] = [
    textItem('HAS OBS CONTEXT', CODES.trackingId, `zone ${f.zone}`),
    uidItem('HAS OBS CONTEXT', CODES.trackingUid, uidFromName(input.exam.srSopUid, `zone ${f.zone}`)),
    codeItem('CONTAINS', CODES.finding, CODES.zoneAssessment),
    {
      ...codeItem('HAS CONCEPT MOD', CODES.findingSite, CODES.lung),
      ContentSequence: [codeItem('HAS CONCEPT MOD', CODES.laterality, clip.laterality === 'L' ? CODES.left : CODES.right)],
    },
    textItem('HAS CONCEPT MOD', CODES.algorithmName, f.model.name),
    textItem('HAS CONCEPT MOD', CODES.algorithmVersion, f.model.version),
    imageItem('CONTAINS', CODES.source, US_MULTIFRAME_SOP_CLASS, clip.sopUid, [f.keyFrame]),
  ];
  if (v.bLineCount !== undefined) items.push(numItem(CODES.bLineCount, v.bLineCount));
  if (v.zoneScore !== undefined) items.push(numItem(CODES.zoneScore, v.zoneScore));
  items.push(numItem(CODES.confidence, Number(f.confidence.toFixed(3))));
  if (v.pleuralLineAbnormal !== undefined) items.push(codeItem('CONTAINS', CODES.pleuralLineAbnormality, presence(v.pleuralLineAbnormal)));
  if (v.consolidation !== undefined) items.push(codeItem('CONTAINS', CODES.consolidation, presence(v.consolidation)));
  if (v.effusion !== undefined) items.push(codeItem('CONTAINS', CODES.effusion, presence(v.effusion)));
  if (v.lungSliding !== undefined) items.push(codeItem('CONTAINS', CODES.lungSliding, presence(v.lungSliding)));
  if (f.edit) {
    const byOperator = (name: Code, value: number): ContentItem => ({
      ...numItem(name, value),
      ContentSequence: [
        codeItem('HAS OBS CONTEXT', CODES.observerType, CODES.person),
        pnameItem('HAS OBS CONTEXT', CODES.personObserverName, personName(f.edit!.operator)),
      ],
    });
    if (f.edit.values.bLineCount !== undefined) items.push(byOperator(CODES.bLineCount, f.edit.values.bLineCount));
    if (f.edit.values.zoneScore !== undefined) items.push(byOperator(CODES.zoneScore, f.edit.values.zoneScore));
  }
  return container('CONTAINS', CODES.measurementGroup, items);
}

/** The operator's name as a PN value: the kiosk's free text, without PN's delimiters, within 64 characters. */
function personName(operator: string): string {
  return `${operator.replace(/[\\^=]/g, ' ').trim().slice(0, 63) || 'unknown'}^`;
}

export function findingsReportDataset(input: FindingsReportInput): Dataset {
  const { exam, clips } = input;
  const groups = bestFindingPerZone(input.findings).map((f) => measurementGroup(input, f));
  const at = exam.finishedAt;
  return {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    SOPInstanceUID: exam.srSopUid,
    InstanceCreationDate: da(at),
    InstanceCreationTime: tm(at),
    TimezoneOffsetFromUTC: '+0000',
    ...pseudonymousPatientModule(input.patient),
    ...generalStudyModule(exam),
    // SR Document Series
    Modality: 'SR',
    SeriesInstanceUID: exam.srSeriesUid,
    SeriesNumber: '900',
    SeriesDescription: 'Lung findings (algorithm, unverified)',
    ReferencedPerformedProcedureStepSequence: [],
    // General Equipment
    Manufacturer: MANUFACTURER,
    ManufacturerModelName: MODEL_NAME,
    SoftwareVersions: [`pleura ${SOFTWARE_VERSION}`],
    // SR Document General
    InstanceNumber: '1',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: da(at),
    ContentTime: tm(at),
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: exam.studyUid,
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: exam.seriesUid,
            ReferencedSOPSequence: clips.map((c) => ({ ReferencedSOPClassUID: US_MULTIFRAME_SOP_CLASS, ReferencedSOPInstanceUID: c.sopUid })),
          },
        ],
      },
    ],
    CodingSchemeIdentificationSequence: [
      {
        CodingSchemeDesignator: LOCAL_SCHEME,
        CodingSchemeName: 'Pleura lung-ultrasound codes',
        CodingSchemeResponsibleOrganization: MANUFACTURER,
      },
    ],
    // SR Document Content: the root container
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [CODES.report],
    ContinuityOfContent: 'SEPARATE',
    ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: '1500' }],
    ContentSequence: [
      codeItem('HAS CONCEPT MOD', CODES.language, CODES.english),
      codeItem('HAS OBS CONTEXT', CODES.observerType, CODES.device),
      uidItem('HAS OBS CONTEXT', CODES.deviceObserverUid, input.deviceObserverUid),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverName, 'pleura'),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverManufacturer, MANUFACTURER),
      textItem('HAS OBS CONTEXT', CODES.deviceObserverModel, MODEL_NAME),
      codeItem('HAS CONCEPT MOD', CODES.procedureReported, CODES.imagingProcedure),
      container('CONTAINS', CODES.imageLibrary, [
        container('CONTAINS', CODES.imageLibraryGroup, clips.map((c) => imageItem('CONTAINS', null, US_MULTIFRAME_SOP_CLASS, c.sopUid))),
      ]),
      container('CONTAINS', CODES.imagingMeasurements, groups),
    ],
  };
}

export function buildFindingsReport(input: FindingsReportInput): Uint8Array {
  return writePart10(findingsReportDataset(input));
}
