/**
 * A reviewer's report, read from its SR's DICOM JSON metadata: every TEXT content item, in
 * document order, as "Concept: text" lines; the verifying observer's name if it was signed.
 */
import { jsonItems, jsonString, TAG, type DicomJsonDataset } from './dicom-json.js';

export interface ReviewReport {
  text: string;
  reviewer: string;
  contentAt: string | null;
}

export function readReviewReport(sr: DicomJsonDataset): ReviewReport {
  const lines: string[] = [];
  const walk = (items: DicomJsonDataset[]): void => {
    for (const item of items) {
      const text = jsonString(item, TAG.TextValue);
      if (text) {
        const concept = jsonString(jsonItems(item, TAG.ConceptNameCodeSequence)[0] ?? {}, TAG.CodeMeaning);
        lines.push(concept ? `${concept}: ${text}` : text);
      }
      walk(jsonItems(item, TAG.ContentSequence));
    }
  };
  walk(jsonItems(sr, TAG.ContentSequence));
  const observer = jsonItems(sr, TAG.VerifyingObserverSequence)[0];
  const date = jsonString(sr, TAG.ContentDate);
  const time = jsonString(sr, TAG.ContentTime);
  const contentAt =
    date && /^\d{8}$/.test(date)
      ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}${time && /^\d{4}/.test(time) ? `T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6) || '00'}Z` : ''}`
      : null;
  return { text: lines.join('\n'), reviewer: observer ? (jsonString(observer, TAG.VerifyingObserverName) ?? '') : '', contentAt };
}
