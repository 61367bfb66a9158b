/**
 * The exam workflow over the local HTTP API (documented in docs/api.md): JSON GET and POST
 * routes for the kiosk server. Bodies are validated strictly (unknown fields are errors, so a
 * typo does not silently do something else); a bad request is a 400 with a message, and the
 * store's refusals keep their status (404 unknown exam, 409 wrong state, 507 disk budget).
 */
import { z } from 'zod';
import { KioskHttpError, postRoute, type KioskPostRoute, type KioskRequest, type KioskRoute } from '../../ui-kiosk/server/kiosk-server.js';
import { EXAM_ID_PATTERN } from '../store/ids.js';
import type { ExamService } from './exam-service.js';
import { DEFAULT_PROTOCOL, PROTOCOLS } from './protocols.js';
import { MAX_B_LINES } from './records.js';

/** Printable text of bounded length: no control characters in names that end up on screens. */
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters');

const examId = z.string().regex(EXAM_ID_PATTERN, 'an exam id like E20250114-7K3Q9A');

export interface ExamApiOptions {
  /** Longest clip (the cine buffer's length). */
  maxCaptureSeconds: number;
  defaultCaptureSeconds: number;
}

function parser<S extends z.ZodType>(schema: S): (body: unknown) => z.infer<S> {
  return (body) => {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    throw new Error(r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`).join('; '));
  };
}

export function examPostRoutes(exams: ExamService, opts: ExamApiOptions): Record<string, KioskPostRoute> {
  const start = z.strictObject({
    patient: z.strictObject({ id: text(64), name: text(128) }),
    operator: text(64),
    protocol: z.enum(Object.keys(PROTOCOLS) as [string, ...string[]]).default(DEFAULT_PROTOCOL),
  });
  const zone = z.strictObject({ examId, zone: z.string().regex(/^[RL]\d{1,2}$/, 'a zone like R1 or L3') });
  const capture = z.strictObject({
    examId,
    mode: z.enum(['retrospective', 'prospective']).default('retrospective'),
    seconds: z.number().positive().max(opts.maxCaptureSeconds).default(Math.min(opts.defaultCaptureSeconds, opts.maxCaptureSeconds)),
  });
  const byExam = z.strictObject({ examId });
  const discard = z.strictObject({ examId, clipId: z.string().regex(/^C[0-9A-Z]{12}$/, 'a clip id') });
  const remove = z.strictObject({ examId, operator: text(64) });
  const edit = z.strictObject({
    examId,
    findingId: z.string().regex(/^F[0-9A-Z]{12}$/, 'a finding id'),
    values: z
      .strictObject({
        bLineCount: z.number().int().min(0).max(MAX_B_LINES).optional(),
        zoneScore: z.number().int().min(0).max(3).optional(),
      })
      .refine((v) => v.bLineCount !== undefined || v.zoneScore !== undefined, 'give bLineCount and/or zoneScore'),
    operator: text(64),
  });

  return {
    '/api/exam/start': postRoute(parser(start), (b) => exams.start({ patient: b.patient, operator: b.operator, protocol: b.protocol })),
    '/api/exam/zone': postRoute(parser(zone), (b) => exams.selectZone(b.examId, b.zone)),
    '/api/exam/capture': postRoute(parser(capture), (b) => exams.capture(b.examId, b.mode, b.seconds)),
    '/api/exam/discard-clip': postRoute(parser(discard), async (b) => {
      await exams.discardClip(b.examId, b.clipId);
      return exams.get(b.examId);
    }),
    '/api/exam/finish': postRoute(parser(byExam), (b) => exams.finish(b.examId)),
    '/api/exam/finding/edit': postRoute(parser(edit), (b) =>
      exams.editFinding(b.examId, b.findingId, { ...(b.values.bLineCount !== undefined ? { bLineCount: b.values.bLineCount } : {}), ...(b.values.zoneScore !== undefined ? { zoneScore: b.values.zoneScore } : {}) }, b.operator),
    ),
    '/api/exam/delete': postRoute(parser(remove), async (b) => {
      await exams.delete(b.examId, b.operator);
      return { deleted: b.examId };
    }),
  };
}

export function examGetRoutes(exams: ExamService): Record<string, KioskRoute> {
  return {
    '/api/exams': () => exams.list(),
    '/api/exam': (req: KioskRequest) => {
      const id = req.query.get('id') ?? '';
      if (!EXAM_ID_PATTERN.test(id)) throw new KioskHttpError(400, 'give the exam as ?id=E20250114-7K3Q9A');
      return exams.get(id);
    },
    '/api/exam/current': () => exams.current(),
  };
}
