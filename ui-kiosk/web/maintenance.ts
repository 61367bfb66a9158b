/**
 * The maintenance page (technician mode): unlock with the PIN, then device info and versions,
 * the element check, software update from a USB stick or a path, probe firmware with progress,
 * recent log. The session token lives in memory only (a reload asks for the PIN again) and goes
 * with every request; the server checks it and audits every action.
 */
import { maintenanceEn, type MaintenanceKey, type MaintenanceMessages } from './i18n/maintenance-en.js';
import { maintenanceNl } from './i18n/maintenance-nl.js';

const catalogue: MaintenanceMessages = (new URLSearchParams(location.search).get('lang') ?? navigator.language).toLowerCase().startsWith('nl') ? maintenanceNl : maintenanceEn;

function tm(key: MaintenanceKey, values: Record<string, string | number> = {}): string {
  return catalogue[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.querySelector<T>(`[data-testid="${id}"]`);
  if (!e) throw new Error(`maintenance page is missing [data-testid="${id}"]`);
  return e;
}

interface MediaFile { path: string; name: string; sizeBytes: number }
interface Info {
  serial: string | null;
  site: string | null;
  software: { version: string; release: { current: string | null; trial: string | null; bad: string[] } | null };
  models: Array<{ name: string; version: string }>;
  probe: { state: string; model: string | null; serial: string | null; firmwareVersion: string | null };
}
interface Progress { state: 'idle' | 'running' | 'done' | 'failed'; writtenBytes: number; totalBytes: number; from: string | null; to: string | null; message: string | null }

class SessionExpired extends Error {}

let token: string | null = null;

async function api<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data = (await res.json().catch(() => ({}))) as T & { error?: string };
  if (res.status === 401 && token) throw new SessionExpired(data.error ?? '');
  if (!res.ok) throw new Error(data.error ?? `HTTP ${res.status}`);
  return data;
}

function say(id: string, text: string, tone: 'ok' | 'error' | '' = ''): void {
  const e = el(id);
  e.textContent = text;
  e.dataset['tone'] = tone;
}

function showLocked(message = ''): void {
  token = null;
  el('m-panels').hidden = true;
  el('m-lock').hidden = true;
  el('m-unlock').hidden = false;
  say('m-unlock-message', message, message ? 'error' : '');
}

/** Runs a page action; an expired session goes back to the PIN, a refusal is shown where it happened. */
async function act(resultId: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (err instanceof SessionExpired) return showLocked(tm('m.unlock.expired'));
    say(resultId, tm('m.error', { message: (err as Error).message }), 'error');
  }
}

async function loadInfo(refresh = false): Promise<void> {
  const info = await api<Info>(`/api/maintenance/info${refresh ? '?refresh=1' : ''}`);
  const rows: Array<[MaintenanceKey, string, string]> = [
    ['m.device.serial', info.serial ?? '—', 'm-serial'],
    ['m.device.site', info.site ?? '—', 'm-site'],
    ['m.device.software', info.software.version, 'm-software'],
    ['m.device.release', info.software.release ? `${info.software.release.current ?? '—'}${info.software.release.trial ? ` → ${info.software.release.trial}` : ''}` : '—', 'm-release'],
    ['m.device.models', info.models.length ? info.models.map((m) => `${m.name} ${m.version}`).join(', ') : tm('m.device.modelsNone'), 'm-models'],
    ['m.device.probe', [info.probe.model, info.probe.serial, info.probe.state].filter(Boolean).join(' · '), 'm-probe'],
    ['m.device.firmware', info.probe.firmwareVersion ?? '—', 'm-firmware'],
  ];
  const dl = el('m-info');
  dl.replaceChildren();
  for (const [label, value, id] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = tm(label);
    const dd = document.createElement('dd');
    dd.textContent = value;
    dd.dataset['testid'] = id;
    dl.append(dt, dd);
  }
}

async function loadMedia(): Promise<void> {
  const media = await api<{ bundles: MediaFile[]; firmware: MediaFile[] }>('/api/maintenance/media');
  const fill = (id: string, files: MediaFile[], input: string) => {
    const box = el(id);
    box.replaceChildren();
    if (!files.length) {
      const p = document.createElement('p');
      p.textContent = tm('m.media.none');
      box.append(p);
    }
    for (const f of files) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'm-button';
      b.textContent = `${f.name} (${(f.sizeBytes / 1e6).toFixed(1)} MB)`;
      b.addEventListener('click', () => void (el<HTMLInputElement>(input).value = f.path));
      box.append(b);
    }
  };
  fill('m-bundles', media.bundles, 'm-update-path');
  fill('m-firmware-files', media.firmware, 'm-fw-path');
}

async function loadLogs(): Promise<void> {
  const { lines } = await api<{ lines: string[] }>('/api/maintenance/logs?lines=200');
  const pre = el('m-logs');
  pre.textContent = lines.join('\n');
  pre.scrollTop = pre.scrollHeight;
}

async function pollFirmware(): Promise<void> {
  const bar = el<HTMLProgressElement>('m-fw-progress');
  bar.hidden = false;
  for (;;) {
    const p = await api<Progress>('/api/maintenance/firmware');
    const percent = p.totalBytes ? Math.round((100 * p.writtenBytes) / p.totalBytes) : 0;
    bar.value = percent;
    if (p.state === 'running') say('m-fw-result', tm('m.fw.progress', { percent }));
    else {
      if (p.state === 'done') say('m-fw-result', tm('m.fw.done', { from: p.from ?? '?', to: p.to ?? '?' }), 'ok');
      else if (p.state === 'failed') say('m-fw-result', tm('m.fw.failed', { message: p.message ?? '' }), 'error');
      el<HTMLButtonElement>('m-fw-flash').disabled = false;
      await loadInfo(true).catch(() => undefined);
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

function main(): void {
  document.title = tm('m.title');
  document.documentElement.lang = catalogue === maintenanceNl ? 'nl' : 'en';
  for (const e of document.querySelectorAll<HTMLElement>('[data-mi18n]')) e.textContent = tm(e.dataset['mi18n'] as MaintenanceKey);
  document.addEventListener('contextmenu', (event) => event.preventDefault());

  el<HTMLFormElement>('m-unlock-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const pinInput = el<HTMLInputElement>('m-pin');
    void (async () => {
      try {
        const r = await api<{ token: string }>('/api/maintenance/unlock', { pin: pinInput.value });
        token = r.token;
        pinInput.value = '';
        el('m-unlock').hidden = true;
        el('m-panels').hidden = false;
        el('m-lock').hidden = false;
        // The probe's state and firmware change under the page (reconnects, flashing).
        const refresh = window.setInterval(() => {
          if (!token) return window.clearInterval(refresh);
          void loadInfo(true).catch(() => undefined);
        }, 3000);
        await act('m-update-result', async () => {
          await loadInfo();
          await loadMedia();
          await loadLogs();
        });
      } catch (err) {
        pinInput.value = '';
        say('m-unlock-message', (err as Error).message, 'error');
      }
    })();
  });

  el('m-lock').addEventListener('click', () => void api('/api/maintenance/lock', {}).finally(() => showLocked()));

  el('m-diag-run').addEventListener('click', () => {
    const button = el<HTMLButtonElement>('m-diag-run');
    button.disabled = true;
    say('m-diag-result', tm('m.diag.running'));
    void act('m-diag-result', async () => {
      const c = await api<{ elementCount: number; medianRms: number; dead: number[]; weak: number[]; ok: boolean }>('/api/maintenance/diagnostics', {});
      const median = c.medianRms.toFixed(0);
      const list = (xs: number[]) => (xs.length ? xs.map((x) => `#${x}`).join(', ') : tm('m.diag.none'));
      if (c.ok) say('m-diag-result', tm('m.diag.ok', { count: c.elementCount, median }), 'ok');
      else say('m-diag-result', tm('m.diag.faults', { count: c.elementCount, median, dead: list(c.dead), weak: list(c.weak) }), 'error');
    }).finally(() => (button.disabled = false));
  });

  el('m-update-install').addEventListener('click', () => {
    const button = el<HTMLButtonElement>('m-update-install');
    button.disabled = true;
    say('m-update-result', tm('m.update.installing'));
    void act('m-update-result', async () => {
      const r = await api<{ version: string; previous: string | null }>('/api/maintenance/update', { path: el<HTMLInputElement>('m-update-path').value.trim() });
      say('m-update-result', tm('m.update.done', { version: r.version, previous: r.previous ?? '—' }), 'ok');
      await loadInfo();
    }).finally(() => (button.disabled = false));
  });

  el('m-fw-flash').addEventListener('click', () => {
    const button = el<HTMLButtonElement>('m-fw-flash');
    button.disabled = true;
    void act('m-fw-result', async () => {
      await api<Progress>('/api/maintenance/firmware', { path: el<HTMLInputElement>('m-fw-path').value.trim() });
      await pollFirmware();
    }).finally(() => {
      if (el('m-fw-result').dataset['tone'] === 'error') button.disabled = false;
    });
  });

  el('m-media-refresh').addEventListener('click', () => void act('m-fw-result', loadMedia));
  el('m-logs-refresh').addEventListener('click', () => void act('m-fw-result', loadLogs));
}

main();
