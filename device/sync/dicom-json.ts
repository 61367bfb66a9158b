/** Reading DICOM JSON (PS3.18 F.2), as QIDO-RS and WADO-RS metadata answer. */
export type DicomJsonDataset = { [tag: string]: { vr?: string; Value?: unknown[] } | undefined };

export function jsonString(ds: DicomJsonDataset, tag: string): string | null {
  const v = ds[tag]?.Value?.[0];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic);
  return null;
}

export function jsonItems(ds: DicomJsonDataset, tag: string): DicomJsonDataset[] {
  const v = ds[tag]?.Value;
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as DicomJsonDataset[]) : [];
}

export const TAG = {
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  SeriesInstanceUID: '0020000E',
  StudyInstanceUID: '0020000D',
  Modality: '00080060',
  NumberOfFrames: '00280008',
  ContentDate: '00080023',
  ContentTime: '00080033',
  ContentSequence: '0040A730',
  TextValue: '0040A160',
  ConceptNameCodeSequence: '0040A043',
  CodeMeaning: '00080104',
  VerifyingObserverSequence: '0040A073',
  VerifyingObserverName: '0040A075',
  ReferencedSOPSequence: '00081199',
  FailedSOPSequence: '00081198',
  ReferencedSOPInstanceUID: '00081155',
  FailureReason: '00081197',
} as const;
