import type { MessageKey } from './i18n/en.js';
import { t } from './i18n/messages.js';
import type { ViewMetrics } from './image-view.js';
import type { StatusView } from './status.js';
import type { ConnectionState } from './ws-client.js';

export interface StatusBarElements {
  probe: HTMLElement;
  probeText: HTMLElement;
  probeAction: HTMLElement;
  probeDetail: HTMLElement;
  fps: HTMLElement;
  latency: HTMLElement;
  storage: HTMLElement;
  sync: HTMLElement;
  degradedBanner: HTMLElement;
  lowDiskBanner: HTMLElement;
  temperatureBanner: HTMLElement;
}

/** Tone of the probe indicator: calm when scanning, attention when the user must act. */
const PROBE_TONE: Record<StatusView['probe']['state'], 'ok' | 'busy' | 'attention' | 'fault'> = {
  unknown: 'busy',
  disconnected: 'attention',
  connecting: 'busy',
  identifying: 'busy',
  ready: 'ok',
  streaming: 'ok',
  incompatible: 'fault',
};

/** Top bar (probe state and what to do, frame rate, latency) and the degraded banner. */
export class StatusBar {
  private connection: ConnectionState = 'connecting';
  private status: StatusView | undefined;

  constructor(private readonly el: StatusBarElements) {
    this.render();
  }

  setConnection(state: ConnectionState): void {
    this.connection = state;
    this.render();
  }

  setStatus(status: StatusView): void {
    this.status = status;
    this.render();
  }

  showMetrics(metrics: ViewMetrics): void {
    this.el.fps.textContent = metrics.fps === undefined
      ? t('metrics.fpsNone') : t('metrics.fps', { value: Math.round(metrics.fps) });
    this.el.latency.textContent = metrics.latencyMs === undefined
      ? t('metrics.latencyNone') : t('metrics.latency', { value: Math.round(metrics.latencyMs) });
  }

  private render(): void {
    const { el } = this;
    let key: MessageKey;
    let actionKey: MessageKey;
    let tone: string;
    if (this.connection !== 'open') {
      // Without the device connection every probe state we hold is stale.
      key = this.connection === 'closed' ? 'connection.lost' : 'connection.connecting';
      actionKey = this.connection === 'closed' ? 'connection.lost.action' : 'connection.connecting.action';
      tone = this.connection === 'closed' ? 'attention' : 'busy';
    } else {
      const state = this.status?.probe.state ?? 'unknown';
      key = `probe.${state}`;
      actionKey = `probe.${state}.action`;
      tone = PROBE_TONE[state];
    }
    el.probe.dataset['tone'] = tone;
    el.probe.dataset['state'] = this.connection === 'open' ? (this.status?.probe.state ?? 'unknown') : `link-${this.connection}`;
    el.probeText.textContent = t(key);
    el.probeAction.textContent = t(actionKey);
    el.probeAction.hidden = t(actionKey) === '';

    const probe = this.connection === 'open' ? this.status?.probe : undefined;
    const details: string[] = [];
    if (probe?.model) details.push(probe.model);
    if (probe?.temperatureC !== undefined) details.push(t('probe.temperature', { value: Math.round(probe.temperatureC) }));
    if (probe?.batteryPercent !== undefined && probe.batteryPercent >= 0) details.push(t('probe.battery', { value: Math.round(probe.batteryPercent) }));
    el.probeDetail.textContent = details.join('   ·   ');

    const left = this.connection === 'open' ? this.status?.storageLeftBytes : undefined;
    el.storage.textContent = left === undefined ? '—' : t('storage.left', { value: formatBytes(left) });
    const sync = this.connection === 'open' ? this.status?.sync : undefined;
    el.sync.textContent = sync === undefined ? '—'
      : sync.unsyncedExams === 0 ? t('sync.allSent')
        : t(sync.destinations === 0 ? 'sync.waitingNoDestination' : sync.online === false ? 'sync.waitingOffline' : 'sync.waiting', { count: sync.unsyncedExams });
    el.sync.dataset['unsynced'] = String(sync?.unsyncedExams ?? '');

    const degraded = this.connection === 'open' && this.status?.degraded === true;
    el.degradedBanner.hidden = !degraded;
    el.lowDiskBanner.hidden = !(this.connection === 'open' && this.status?.lowDisk === true);
    el.temperatureBanner.hidden = !(this.connection === 'open' && this.status?.overTemperature === true);
    // Stage names are for service staff reading the DOM, not for the clinician.
    el.degradedBanner.dataset['stages'] = this.status?.restartingStages.join(',') ?? '';
  }
}

/** "74 GB", "850 MB": decimal units, as disks are sold. */
export function formatBytes(bytes: number): string {
  if (bytes >= 10e9) return `${Math.round(bytes / 1e9)} GB`;
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  return `${Math.round(bytes / 1e6)} MB`;
}
