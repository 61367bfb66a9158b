/**
 * The General Study module, the same in every object of an exam (the clips and the findings
 * report): one study per exam, its UID made once at the start of the exam.
 */
import { da, tm } from './dicom-time.js';
import type { Dataset } from './part10.js';

export function generalStudyModule(exam: { id: string; studyUid: string; startedAt: string }): Dataset {
  return {
    StudyInstanceUID: exam.studyUid,
    StudyDate: da(exam.startedAt),
    StudyTime: tm(exam.startedAt),
    ReferringPhysicianName: '',
    StudyID: exam.id.slice(0, 16),
    AccessionNumber: '',
    StudyDescription: 'Lung ultrasound',
  };
}
