/**
 * PS3.15 Annex E Basic Application Level Confidentiality Profile, applied at creation: the
 * objects are built from a pseudonymous patient and never contain the real identity, rather
 * than being built with it and cleaned afterwards. What the profile asks for, and how it holds:
 *
 * * Patient's Name (`PSEUDONYM^PLP-…`), ID (`PLP-…`): the pseudonym (Z → dummy); Birth Date, Sex: empty (type 2).
 * * Operators', Referring and Performing Physician's Name, Institution: not written (X).
 * * Accession Number: empty; Study ID: the device's random exam id (a dummy value).
 * * UIDs: random 2.25 UIDs made at capture, unrelated to any identity (U).
 * * Image Comments, Series/Study Description: written only from the device's own fixed text
 *   ("zone R1"), never from user input: Clean Descriptors Option.
 * * Dates and times: kept (Retain Longitudinal Temporal Information, Full Dates).
 * * Device serial numbers: kept (Retain Device Identity), for field safety notices.
 * * Pixels: the display image carries no burned-in text (Burned In Annotation NO).
 *
 * {@link assertNoIdentity} is a second line of defence: before an object is stored for sending
 * it is searched for the real identifier and name.
 */
import type { PatientIdentity, PseudonymousPatient } from '../exam/records.js';
import type { Dataset } from './part10.js';

export const ISSUER_OF_PSEUDONYM = 'PLEURA-PSEUDONYM';

const code = (CodeValue: string, CodeMeaning: string) => ({ CodingSchemeDesignator: 'DCM', CodeValue, CodeMeaning });

/** Patient module + de-identification attributes for an object about `patient`. */
export function pseudonymousPatientModule(patient: PseudonymousPatient): Dataset {
  return {
    // Family^Given; a bare "PLP-…" reads as the retired PN form to validators.
    PatientName: `PSEUDONYM^${patient.pseudonym}`,
    PatientID: patient.pseudonym,
    IssuerOfPatientID: ISSUER_OF_PSEUDONYM,
    PatientBirthDate: '',
    PatientSex: '',
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: 'Pseudonymized at acquisition: HMAC-SHA256, site key', // LO ≤ 64
    DeidentificationMethodCodeSequence: [
      code('113100', 'Basic Application Confidentiality Profile'),
      code('113105', 'Clean Descriptors Option'),
      code('113106', 'Retain Longitudinal Temporal Information Full Dates Option'),
      code('113109', 'Retain Device Identity Option'),
    ],
  };
}

export class IdentityLeakError extends Error {
  override name = 'IdentityLeakError';
}

/**
 * Throws if a text value anywhere in the dataset (sequences included; pixel data and UIDs
 * excluded) contains the patient's real identifier or name as a whole word, in any letter case,
 * with DICOM's `^` name separators read as spaces. Whole words only, so that a patient ID "333"
 * does not refuse a clip whose Frame Time is "33.333".
 */
export function assertNoIdentity(dataset: Dataset, identity: PatientIdentity): void {
  const needles = identityNeedles(identity);
  if (needles.length === 0) return;
  const visit = (value: unknown, keyword: string): void => {
    if (typeof value === 'string') {
      if (/UIDs?$/.test(keyword)) return;
      const hay = normalize(value);
      for (const n of needles) {
        if (containsWord(hay, n)) throw new IdentityLeakError(`refusing to store an object for sending: ${keyword} contains the patient's real identity`);
      }
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v, keyword);
    } else if (value && typeof value === 'object' && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
      for (const [k, v] of Object.entries(value)) if (k !== 'PixelData' && k !== '_vrMap') visit(v, k);
    }
  };
  visit(dataset, 'dataset');
}

/** The strings that must not appear: the ID, the name, and the name with its parts reversed. */
export function identityNeedles(identity: PatientIdentity): string[] {
  const name = normalize(identity.name);
  const reversed = name.split(' ').reverse().join(' ');
  return [...new Set([normalize(identity.id), name, reversed].filter((s) => s.length >= 2))];
}

function containsWord(hay: string, needle: string): boolean {
  const word = /[\p{L}\p{N}.]/u;
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) {
    const before = hay[at - 1];
    const after = hay[at + needle.length];
    if ((before === undefined || !word.test(before)) && (after === undefined || !word.test(after))) return true;
  }
  return false;
}

function normalize(s: string): string {
  return s.replace(/\^/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}
