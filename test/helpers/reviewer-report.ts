/** A remote reviewer's report on a study, as a reading center would add it: a signed SR. */
import { COMPREHENSIVE_SR_SOP_CLASS } from '../../device/dicom/findings-sr.js';
import { writePart10 } from '../../device/dicom/part10.js';
import { DCM, container, textItem } from '../../device/dicom/sr-items.js';
import { newUid } from '../../device/dicom/uid.js';

export function reviewerReport(o: { studyUid: string; pseudonym: string; findings: string; conclusion: string }): { bytes: Uint8Array; sopUid: string } {
  const sopUid = newUid();
  const bytes = writePart10({
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    SOPInstanceUID: sopUid,
    PatientName: `PSEUDONYM^${o.pseudonym}`,
    PatientID: o.pseudonym,
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: o.studyUid,
    StudyDate: '20250114',
    StudyTime: '093000',
    ReferringPhysicianName: '',
    StudyID: '',
    AccessionNumber: '',
    Modality: 'SR',
    SeriesInstanceUID: newUid(),
    SeriesNumber: '901',
    SeriesDescription: 'Remote review',
    Manufacturer: 'Reading center',
    InstanceNumber: '1',
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'VERIFIED',
    VerifyingObserverSequence: [{ VerifyingObserverName: 'Reviewer^Remote', VerifyingOrganization: 'Delft reading center', VerificationDateTime: '20250114101500' }],
    ContentDate: '20250114',
    ContentTime: '101500',
    ReferencedPerformedProcedureStepSequence: [],
    PerformedProcedureCodeSequence: [],
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [{ CodeValue: '18748-4', CodingSchemeDesignator: 'LN', CodeMeaning: 'Diagnostic imaging report' }],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: [
      container('CONTAINS', DCM('121070', 'Findings'), [textItem('CONTAINS', DCM('121071', 'Finding'), o.findings)]),
      textItem('CONTAINS', DCM('121077', 'Conclusion'), o.conclusion),
    ],
  });
  return { bytes, sopUid };
}

export async function stowTo(dicomWebUrl: string, authorization: string, bytes: Uint8Array): Promise<number> {
  const boundary = 'reviewer-' + Math.random().toString(36).slice(2);
  const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const res = await fetch(`${dicomWebUrl}/studies`, {
    method: 'POST',
    headers: { Authorization: authorization, 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`, Accept: 'application/dicom+json' },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}
