/**
 * Records a model's golden output (models/runtime/golden-output.ts) beside its manifest, after
 * training: `node dist/scripts/train/write-golden.js [models/lung-findings/lung-findings.json]`.
 * A release on trial must reproduce it (docs/updates.md, the device self-test).
 */
import { writeGolden } from '../../models/runtime/golden-output.js';

const manifest = process.argv[2] ?? 'models/lung-findings/lung-findings.json';
const file = await writeGolden(manifest, { providers: ['cpu'], intraOpThreads: 1 });
process.stdout.write(`wrote ${file}\n`);
