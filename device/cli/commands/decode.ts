/** `pleura decode FILE [--json]`: what a recorded probe byte stream holds, and what was rejected. */
import fs from 'node:fs';
import { summarizeStream } from '../../../drivers/protocol/decoder.js';

export async function decode({ positionals, values }: { positionals: string[]; values: Record<string, string | boolean | undefined> }): Promise<number> {
  const file = positionals[0];
  if (!file) {
    process.stderr.write('usage: pleura decode FILE [--json]\n');
    return 2;
  }
  if (!fs.existsSync(file)) {
    process.stderr.write(`pleura decode: ${file} does not exist\n`);
    return 2;
  }
  const summary = await summarizeStream(fs.createReadStream(file, { highWaterMark: 1 << 16 }));
  if (values.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const frames = Object.entries(summary.frames).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    process.stdout.write(`frames: ${frames}\n`);
    for (const [k, v] of Object.entries(summary)) if (k !== 'frames') process.stdout.write(`${k}: ${String(v)}\n`);
  }
  return 0;
}
