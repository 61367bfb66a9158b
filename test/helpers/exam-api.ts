/** Calls to the device's exam API, and reading an exam's exported files, for integration tests. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClipRecord, ExamDetail, ExamRecord } from '../../device/exam/records.js';
import { CLI } from './device.js';

export interface ApiReply<T> {
  status: number;
  body: T;
  error: string | undefined;
}

export async function post<T>(url: string, route: string, body: unknown): Promise<ApiReply<T>> {
  const res = await fetch(url + route, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as T & { error?: string };
  return { status: res.status, body: json, error: res.ok ? undefined : json.error };
}

export async function get<T>(url: string, route: string): Promise<T> {
  const res = await fetch(url + route);
  if (!res.ok) throw new Error(`GET ${route} → ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export const PATIENT = { id: 'MRN-5523-8841-QQ', name: 'Oosterhuis^Geertruida' };

export async function startExam(url: string): Promise<ExamRecord> {
  const r = await post<ExamRecord>(url, '/api/exam/start', { patient: PATIENT, operator: 'nurse Ada', protocol: 'lus-12' });
  if (r.status !== 200) throw new Error(`start exam: ${r.status} ${r.error}`);
  return r.body;
}

export async function zone(url: string, examId: string, z: string): Promise<void> {
  const r = await post<ExamRecord>(url, '/api/exam/zone', { examId, zone: z });
  if (r.status !== 200) throw new Error(`zone ${z}: ${r.status} ${r.error}`);
}

export async function capture(url: string, examId: string, seconds: number, mode: 'retrospective' | 'prospective' = 'retrospective'): Promise<ApiReply<ClipRecord>> {
  return post<ClipRecord>(url, '/api/exam/capture', { examId, seconds, mode });
}

export function exam(url: string, examId: string): Promise<ExamDetail> {
  return get<ExamDetail>(url, `/api/exam?id=${examId}`);
}

/** `pleura export` into a temp folder; returns file name → SHA-256 and the folder. */
export function exportExam(dataDir: string, examId: string): { dir: string; files: Map<string, string>; stderr: string; status: number | null } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-export-'));
  const r = spawnSync(process.execPath, [CLI, 'export', examId, '--out', dir, '--data-dir', dataDir], { encoding: 'utf8' });
  const files = new Map<string, string>();
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir)) files.set(f, createHash('sha256').update(fs.readFileSync(path.join(dir, f))).digest('hex'));
  }
  return { dir, files, stderr: r.stderr, status: r.status };
}

/** dciodvfy's Error/Warning lines for a file, minus the declared local coding scheme. */
export function dciodvfy(file: string): { iod: string; problems: string[] } {
  const r = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  if (r.error) throw new Error(`dciodvfy is not installed (apt-get install dicom3tools; scripts/install-test-deps.sh): ${r.error.message}`);
  const lines = `${r.stdout}\n${r.stderr}`.split('\n');
  return {
    iod: lines.find((l) => /^[A-Za-z]+$/.test(l.trim()))?.trim() ?? '',
    problems: lines.filter((l) => /^(Error|Warning)/.test(l) && !/<99PLEURA>/.test(l)),
  };
}
