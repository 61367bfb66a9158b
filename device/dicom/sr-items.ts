/**
 * Building blocks for SR content trees (naturalized dcmjs items) and the codes the findings
 * report uses. Standard codes where they exist (DCM, SCT, UCUM); the rest come from the local
 * scheme 99PLEURA, declared in the object's Coding Scheme Identification Sequence (PS3.16
 * allows local schemes prefixed "99").
 */
export interface Code {
  CodeValue: string;
  CodingSchemeDesignator: string;
  CodeMeaning: string;
}

export type ContentItem = { [keyword: string]: unknown };

export const LOCAL_SCHEME = '99PLEURA';

const code = (CodeValue: string, CodingSchemeDesignator: string, CodeMeaning: string): Code => ({ CodeValue, CodingSchemeDesignator, CodeMeaning });
export const DCM = (v: string, m: string): Code => code(v, 'DCM', m);
export const SCT = (v: string, m: string): Code => code(v, 'SCT', m);
export const LOCAL = (v: string, m: string): Code => code(v, LOCAL_SCHEME, m);
export const UCUM = (v: string, m: string): Code => code(v, 'UCUM', m);

export const CODES = {
  report: DCM('126000', 'Imaging Measurement Report'),
  language: DCM('121049', 'Language of Content Item and Descendants'),
  english: code('en', 'RFC5646', 'English'),
  observerType: DCM('121005', 'Observer Type'),
  device: DCM('121007', 'Device'),
  person: DCM('121006', 'Person'),
  personObserverName: DCM('121008', 'Person Observer Name'),
  deviceObserverUid: DCM('121012', 'Device Observer UID'),
  deviceObserverName: DCM('121013', 'Device Observer Name'),
  deviceObserverManufacturer: DCM('121014', 'Device Observer Manufacturer'),
  deviceObserverModel: DCM('121015', 'Device Observer Model Name'),
  procedureReported: DCM('121058', 'Procedure reported'),
  imagingProcedure: SCT('363679005', 'Imaging procedure'),
  imageLibrary: DCM('111028', 'Image Library'),
  imageLibraryGroup: DCM('126200', 'Image Library Group'),
  imagingMeasurements: DCM('126010', 'Imaging Measurements'),
  measurementGroup: DCM('125007', 'Measurement Group'),
  trackingId: DCM('112039', 'Tracking Identifier'),
  trackingUid: DCM('112040', 'Tracking Unique Identifier'),
  finding: DCM('121071', 'Finding'),
  findingSite: SCT('363698007', 'Finding Site'),
  lung: SCT('39607008', 'Lung structure'),
  laterality: SCT('272741003', 'Laterality'),
  right: SCT('24028007', 'Right'),
  left: SCT('7771000', 'Left'),
  algorithmName: DCM('111001', 'Algorithm Name'),
  algorithmVersion: DCM('111003', 'Algorithm Version'),
  source: SCT('260753009', 'Source'),
  present: SCT('52101004', 'Present'),
  absent: SCT('2667000', 'Absent'),
  consolidation: SCT('95436008', 'Lung consolidation'),
  effusion: SCT('60046008', 'Pleural effusion'),
  noUnits: UCUM('1', 'no units'),
  // No standard codes exist for these lung-ultrasound concepts:
  zoneAssessment: LOCAL('LUS-ZONE', 'Lung ultrasound zone assessment'),
  bLineCount: LOCAL('LUS-BLC', 'B-line count'),
  zoneScore: LOCAL('LUS-ZS', 'Lung ultrasound zone score'),
  pleuralLineAbnormality: LOCAL('LUS-PLA', 'Pleural line abnormality'),
  lungSliding: LOCAL('LUS-SLD', 'Lung sliding'),
  confidence: LOCAL('LUS-CONF', 'Algorithm confidence'),
} as const;

export const codeItem = (rel: string, name: Code, value: Code): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'CODE',
  ConceptNameCodeSequence: [name],
  ConceptCodeSequence: [value],
});

export const textItem = (rel: string, name: Code, text: string): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'TEXT',
  ConceptNameCodeSequence: [name],
  TextValue: text,
});

export const uidItem = (rel: string, name: Code, uid: string): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'UIDREF',
  ConceptNameCodeSequence: [name],
  UID: uid,
});

export const numItem = (name: Code, value: number, units: Code = CODES.noUnits): ContentItem => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'NUM',
  ConceptNameCodeSequence: [name],
  MeasuredValueSequence: [{ NumericValue: String(value), MeasurementUnitsCodeSequence: [units] }],
});

export const pnameItem = (rel: string, name: Code, personName: string): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'PNAME',
  ConceptNameCodeSequence: [name],
  PersonName: personName,
});

export const imageItem = (rel: string, name: Code | null, sopClassUid: string, sopInstanceUid: string, frames?: number[]): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'IMAGE',
  ...(name ? { ConceptNameCodeSequence: [name] } : {}),
  ReferencedSOPSequence: [
    {
      ReferencedSOPClassUID: sopClassUid,
      ReferencedSOPInstanceUID: sopInstanceUid,
      ...(frames ? { ReferencedFrameNumber: frames.map(String) } : {}),
    },
  ],
});

export const container = (rel: string, name: Code, children: ContentItem[]): ContentItem => ({
  RelationshipType: rel,
  ValueType: 'CONTAINER',
  ConceptNameCodeSequence: [name],
  ContinuityOfContent: 'SEPARATE',
  ContentSequence: children,
});

export const presence = (on: boolean): Code => (on ? CODES.present : CODES.absent);
