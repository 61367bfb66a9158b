/**
 * The store's worker thread: owns the write connection to the database and every file write,
 * so fsyncs and DICOM building never stall the display path on the main thread. Runs the
 * start-up recovery pass before it answers anything.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ExamStateError, serializeError } from './errors.js';
import { recoverStore } from './recovery.js';
import { Store } from './store.js';
import { ensureRoom } from './disk-budget.js';
import type { StoreApi, StoreReply, StoreRequest, StoreThreadOptions } from './store-api.js';

const port = parentPort;
if (!port) throw new Error('store-thread.js runs as a worker thread (see store-client.ts)');
const opts = workerData as StoreThreadOptions;
const post = (m: StoreReply): void => port.postMessage(m);

let store: Store;
try {
  store = Store.open({ ...opts });
  const recovery = recoverStore(store);
  post({ type: 'ready', recovery, migrations: store.migrations });
} catch (err) {
  post({ type: 'fatal', error: serializeError(err) });
  process.exit(1);
}

const api: StoreApi = {
  startExam: (input) => store.startExam(input),
  selectZone: (examId, zone) => store.selectZone(examId, zone),
  checkCapture(examId, bytes) {
    const exam = store.exam(examId);
    if (exam.state !== 'open') throw new ExamStateError(`exam ${examId} is ${exam.state}; cannot capture (start a new exam)`);
    if (!exam.currentZone) throw new ExamStateError(`exam ${examId} has no zone chosen; choose the zone before capturing`);
    ensureRoom(store.dataDir, bytes + 64 * 1024, store.usedBytes(), store.budget, `a clip of ${Math.round(bytes / 1e5) / 10} MB`);
  },
  commitClip: (input) => store.commitClip(input),
  discardClip: (examId, clipId) => store.discardClip(examId, clipId),
  addFinding: (clipId, finding) => store.addFinding(clipId, finding),
  finishExam: (examId) => store.finishExam(examId),
  editFinding: (examId, findingId, values, operator) => store.editFinding(examId, findingId, values, operator),
  deleteExam: (examId, actor) => store.deleteExam(examId, actor),
  getExam: (examId) => store.getExam(examId),
  clip: (clipId) => store.clip(clipId),
  currentExam: () => store.currentExam(),
  listExams: (limit) => store.listExams(limit),
  storage: () => store.storage(),
  auditEvent: (actor, action, detail) => store.audit.add(actor, action, null, detail),
  auditTrail: (limit, actionPrefix) => store.audit.recent(limit, actionPrefix),
};

port.on('message', (req: StoreRequest) => {
  if (req.type === 'close') {
    store.close();
    port.close();
    return;
  }
  try {
    const fn = api[req.method] as (...args: unknown[]) => unknown;
    post({ type: 'result', id: req.id, ok: true, value: fn(...req.args) });
  } catch (err) {
    post({ type: 'result', id: req.id, ok: false, error: serializeError(err) });
  }
});
