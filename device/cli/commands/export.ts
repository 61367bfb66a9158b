/**
 * `pleura export EXAM_ID --out DIR`: writes the exam's DICOM objects (one US Multi-frame per
 * clip, and the findings SR of a finished exam) exactly as the outbox sends them: the same
 * bytes, UIDs and pseudonym. Safe while the device runs (it only reads).
 */
import fs from 'node:fs';
import path from 'node:path';
import { configFromFlags } from '../config-from-flags.js';
import { resolveDataDir } from '../../store/data-dir.js';
import { DB_FILE } from '../../store/database.js';
import { StoreError } from '../../store/errors.js';
import { EXAM_ID_PATTERN } from '../../store/ids.js';
import { Store } from '../../store/store.js';

export async function exportExam({ positionals, values }: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<number> {
  const examId = positionals[0];
  const out = typeof values.out === 'string' ? values.out : '';
  if (!examId || !out) {
    process.stderr.write('usage: pleura export EXAM_ID --out DIR [--data-dir DIR]\n');
    return 2;
  }
  if (!EXAM_ID_PATTERN.test(examId)) {
    process.stderr.write(`pleura export: "${examId}" is not an exam id (like E20250114-7K3Q9A); GET /api/exams lists them\n`);
    return 2;
  }
  const config = configFromFlags('export', values);
  const dataDir = resolveDataDir(config.store.dataDir);
  if (!fs.existsSync(path.join(dataDir, DB_FILE))) {
    process.stderr.write(`pleura export: no store at ${dataDir} (use --data-dir or PLEURA_DATA_DIR)\n`);
    return 2;
  }
  const store = Store.open({
    dataDir,
    budget: { reserveBytes: 0, maxDataBytes: 0 },
    siteKeyFile: config.store.siteKeyFile || path.join(dataDir, 'keys', 'site.key'),
  });
  try {
    const objects = store.exportObjects(examId);
    for (const c of store.clips(examId).filter((x) => x.state === 'damaged')) {
      process.stderr.write(`pleura export: clip ${c.id} (zone ${c.zone}) is damaged on disk and was not exported\n`);
    }
    fs.mkdirSync(out, { recursive: true });
    for (const o of objects) {
      const file = path.join(out, o.name);
      fs.writeFileSync(file, o.bytes);
      process.stdout.write(values.json ? '' : `${file}  ${o.kind}  ${o.sopUid}  ${o.bytes.length} bytes\n`);
    }
    if (values.json) {
      process.stdout.write(JSON.stringify(objects.map((o) => ({ file: path.join(out, o.name), kind: o.kind, sopUid: o.sopUid, bytes: o.bytes.length }))) + '\n');
    }
    return 0;
  } catch (err) {
    if (err instanceof StoreError) {
      process.stderr.write(`pleura export: ${err.message}\n`);
      return err.status === 404 ? 3 : 1;
    }
    throw err;
  } finally {
    store.close();
  }
}
