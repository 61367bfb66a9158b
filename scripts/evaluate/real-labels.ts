/**
 * labels.csv of the real development set (../shared/datasets/lus-dev/README.md): one row per
 * clip or still image, sparse 0/1 finding flags (empty = not annotated), a 0–3 severity score
 * where available, and the patient group that every aggregate metric must resample by.
 * Evaluation only: the data are read where they lie and never copied.
 */
import fs from 'node:fs';
import path from 'node:path';

export class RealDatasetError extends Error {
  override name = 'RealDatasetError';
}

/** Finding flags of labels.csv and the ClipFindings each is compared with. */
export const REAL_FINDINGS = {
  bLines: 'b_lines',
  aLines: 'a_lines',
  consolidation: 'consolidations',
  effusion: 'effusion',
  pleuraIrregular: 'pleural_irregularities',
} as const;
export type RealFinding = keyof typeof REAL_FINDINGS;

export interface RealLabel {
  /** Relative to the dataset folder, e.g. clips/lus_001.mp4. */
  file: string;
  kind: 'clip' | 'image';
  itemId: string;
  diagnosis: string;
  probe: string;
  patientGroup: string;
  /** lung_severity_score (Gare et al. 2022), 0–3; null where not given. */
  severity: 0 | 1 | 2 | 3 | null;
  /** null: not annotated (left out of that finding's metric). */
  flags: Record<RealFinding, boolean | null>;
  license: string;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function flag(v: string, where: string): boolean | null {
  const t = v.trim();
  if (t === '') return null;
  if (t === '0' || t === '0.0') return false;
  if (t === '1' || t === '1.0') return true;
  throw new RealDatasetError(`${where}: expected 0, 1 or empty, got "${v}"`);
}

function severity(v: string, where: string): RealLabel['severity'] {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  if (n === 0 || n === 1 || n === 2 || n === 3) return n;
  throw new RealDatasetError(`${where}: lung_severity_score must be 0–3 or empty, got "${v}"`);
}

export function parseLabels(csv: string, source = 'labels.csv'): RealLabel[] {
  const [header, ...rows] = parseCsv(csv);
  if (!header) throw new RealDatasetError(`${source} is empty`);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new RealDatasetError(`${source} has no column "${name}" (columns: ${header.join(', ')})`);
    return i;
  };
  const c = {
    file: col('file'),
    kind: col('kind'),
    itemId: col('item_id'),
    label: col('label'),
    probe: col('probe'),
    group: col('patient_group'),
    severity: col('lung_severity_score'),
    license: col('license'),
    ...Object.fromEntries(Object.entries(REAL_FINDINGS).map(([k, name]) => [k, col(name)])),
  } as Record<string, number>;
  return rows.map((r, i) => {
    const where = `${source} row ${i + 2}`;
    const kind = r[c.kind!];
    if (kind !== 'clip' && kind !== 'image') throw new RealDatasetError(`${where}: kind must be clip or image, got "${kind}"`);
    const group = (r[c.group!] ?? '').trim();
    if (group === '') throw new RealDatasetError(`${where}: no patient_group`);
    return {
      file: r[c.file!]!,
      kind,
      itemId: r[c.itemId!]!,
      diagnosis: r[c.label!]!,
      probe: r[c.probe!]!,
      patientGroup: group,
      severity: severity(r[c.severity!] ?? '', where),
      flags: Object.fromEntries((Object.keys(REAL_FINDINGS) as RealFinding[]).map((k) => [k, flag(r[c[k]!] ?? '', `${where}, ${REAL_FINDINGS[k]}`)])) as Record<RealFinding, boolean | null>,
      license: r[c.license!]!,
    };
  });
}

export const DEFAULT_REAL_DATA = '../shared/datasets/lus-dev';

export function readRealLabels(dir: string): RealLabel[] {
  const csv = path.join(dir, 'labels.csv');
  if (!fs.existsSync(dir)) {
    throw new RealDatasetError(`real data folder ${dir} is missing: the development set lives outside the repository (../shared/datasets/lus-dev, see its README); pass --data DIR`);
  }
  if (!fs.existsSync(csv)) throw new RealDatasetError(`${dir} has no labels.csv: is it the lus-dev folder (../shared/datasets/lus-dev)?`);
  return parseLabels(fs.readFileSync(csv, 'utf8'), csv);
}
