import type { MessageKey } from './i18n/en.js';
import { hasMessage, t } from './i18n/messages.js';
import type { KioskControl } from './protocol.js';
import type { StatusView } from './status.js';

/** Depth presets (mm) covering pleura (2–4 cm) to effusions and consolidations (up to 24 cm). */
export const DEPTH_STEPS_MM: readonly number[] = [30, 40, 50, 60, 80, 100, 120, 140, 160, 180, 200, 240];
export const GAIN_STEP_DB = 3;
export const GAIN_RANGE_DB = { min: -30, max: 30 } as const;

/** How long a requested value is shown before the device's status must confirm it. */
const PENDING_CONFIRM_MS = 1500;

type Setting = 'depthMm' | 'gainDb' | 'frozen' | 'preset';
type SettingValue<K extends Setting> = K extends 'frozen' ? boolean : K extends 'preset' ? string : number;

export interface ControlElements {
  freeze: HTMLButtonElement;
  depthDown: HTMLButtonElement;
  depthUp: HTMLButtonElement;
  depthValue: HTMLElement;
  gainDown: HTMLButtonElement;
  gainUp: HTMLButtonElement;
  gainValue: HTMLElement;
  /** The preset buttons are made here, one per preset the device offers. */
  presets: HTMLElement;
}

/**
 * Freeze, depth and gain buttons. The device's status is the truth; a pressed button shows the
 * requested value at once (a gloved user needs to see the press worked) until the status confirms
 * it or the confirmation window passes.
 */
export class Controls {
  /** Last values from the device's status. */
  private confirmed: { depthMm?: number; gainDb?: number; frozen?: boolean; preset?: string } = {};
  private pending = new Map<Setting, { value: number | boolean | string; until: number }>();
  private presetNames: string[] = [];
  /** Depth seen in frames, used until the status reports settings. */
  private frameDepthMm: number | undefined;
  private connected = false;
  /** Frozen state last passed to onFrozenChange. */
  private shownFrozen = false;

  constructor(
    private readonly el: ControlElements,
    private readonly send: (control: KioskControl) => boolean,
    private readonly onFrozenChange: (frozen: boolean) => void,
  ) {
    el.freeze.addEventListener('click', () => this.request('frozen', !this.current('frozen')));
    el.depthDown.addEventListener('click', () => this.stepDepth(-1));
    el.depthUp.addEventListener('click', () => this.stepDepth(+1));
    el.gainDown.addEventListener('click', () => this.stepGain(-1));
    el.gainUp.addEventListener('click', () => this.stepGain(+1));
    el.depthDown.setAttribute('aria-label', t('controls.decrease', { name: t('controls.depth').toLowerCase() }));
    el.depthUp.setAttribute('aria-label', t('controls.increase', { name: t('controls.depth').toLowerCase() }));
    el.gainDown.setAttribute('aria-label', t('controls.decrease', { name: t('controls.gain').toLowerCase() }));
    el.gainUp.setAttribute('aria-label', t('controls.increase', { name: t('controls.gain').toLowerCase() }));
    this.render();
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    this.render();
  }

  applyStatus(settings: StatusView['settings'], presets: string[] = this.presetNames): void {
    if (presets.join() !== this.presetNames.join()) this.buildPresetButtons(presets);
    this.confirmed = { ...this.confirmed, ...settings };
    for (const [key, pending] of this.pending) {
      if (this.confirmed[key] === pending.value) this.pending.delete(key);
    }
    this.afterChange();
  }

  noteFrameDepth(depthMm: number): void {
    if (this.frameDepthMm !== undefined && Math.abs(this.frameDepthMm - depthMm) < 0.05) return;
    this.frameDepthMm = depthMm;
    this.render();
  }

  private current<K extends Setting>(key: K): SettingValue<K> | undefined {
    const pending = this.pending.get(key);
    if (pending && pending.until > performance.now()) return pending.value as SettingValue<K>;
    const confirmed = this.confirmed[key] as SettingValue<K> | undefined;
    if (key === 'depthMm' && confirmed === undefined) return this.frameDepthMm as SettingValue<K> | undefined;
    // Without any status (device app not reporting settings) the last request is all we know.
    if (confirmed === undefined && pending) return pending.value as SettingValue<K>;
    return confirmed;
  }

  private stepDepth(direction: -1 | 1): void {
    const depth = this.current('depthMm');
    if (depth === undefined) return;
    const next = direction > 0
      ? DEPTH_STEPS_MM.find((d) => d > depth + 0.5)
      : [...DEPTH_STEPS_MM].reverse().find((d) => d < depth - 0.5);
    if (next !== undefined) this.request('depthMm', next);
  }

  private stepGain(direction: -1 | 1): void {
    const gain = this.current('gainDb');
    if (gain === undefined) return;
    const next = Math.min(GAIN_RANGE_DB.max, Math.max(GAIN_RANGE_DB.min, gain + direction * GAIN_STEP_DB));
    if (next !== gain) this.request('gainDb', next);
  }

  private buildPresetButtons(names: string[]): void {
    this.presetNames = names;
    this.el.presets.hidden = names.length === 0;
    this.el.presets.replaceChildren(...names.map((name) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'preset-button';
      button.dataset['testid'] = `preset-${name}`;
      button.dataset['preset'] = name;
      button.textContent = presetLabel(name);
      button.addEventListener('click', () => {
        if (this.current('preset') !== name) this.request('preset', name);
      });
      return button;
    }));
    this.render();
  }

  private request<K extends Setting>(key: K, value: SettingValue<K>): void {
    const control: KioskControl =
      key === 'frozen' ? { type: 'freeze', frozen: value as boolean }
        : key === 'depthMm' ? { type: 'depth', depthMm: value as number }
          : key === 'preset' ? { type: 'preset', preset: value as string }
            : { type: 'gain', gainDb: value as number };
    if (!this.send(control)) return;
    this.pending.set(key, { value, until: performance.now() + PENDING_CONFIRM_MS });
    this.afterChange();
    // Re-render when the confirmation window ends, in case the status never agreed.
    window.setTimeout(() => this.afterChange(), PENDING_CONFIRM_MS + 50);
  }

  private afterChange(): void {
    const frozen = this.current('frozen') === true;
    if (frozen !== this.shownFrozen) {
      this.shownFrozen = frozen;
      this.onFrozenChange(frozen);
    }
    this.render();
  }

  private render(): void {
    const frozen = this.current('frozen') === true;
    const depthMm = this.current('depthMm');
    const gainDb = this.current('gainDb');
    const { el } = this;
    el.freeze.textContent = frozen ? t('controls.unfreeze') : t('controls.freeze');
    el.freeze.setAttribute('aria-pressed', String(frozen));
    el.freeze.classList.toggle('is-frozen', frozen);
    el.freeze.disabled = !this.connected;

    el.depthValue.textContent = depthMm === undefined ? '—' : t('controls.depthValue', { value: formatCm(depthMm) });
    el.depthDown.disabled = !this.connected || depthMm === undefined || depthMm <= (DEPTH_STEPS_MM[0] as number) + 0.5;
    el.depthUp.disabled = !this.connected || depthMm === undefined || depthMm >= (DEPTH_STEPS_MM.at(-1) as number) - 0.5;

    el.gainValue.textContent = gainDb === undefined ? '—' : t('controls.gainValue', { value: formatSigned(gainDb) });
    el.gainDown.disabled = !this.connected || gainDb === undefined || gainDb <= GAIN_RANGE_DB.min;
    el.gainUp.disabled = !this.connected || gainDb === undefined || gainDb >= GAIN_RANGE_DB.max;

    const preset = this.current('preset');
    for (const button of el.presets.querySelectorAll<HTMLButtonElement>('button')) {
      button.setAttribute('aria-pressed', String(button.dataset['preset'] === preset));
      button.disabled = !this.connected || frozen;
    }
  }
}

/** The preset's name in the kiosk's language; a name only the configuration knows is shown as it is. */
function presetLabel(name: string): string {
  const key = `preset.${name}` as MessageKey;
  return hasMessage(key) ? t(key) : name;
}

function formatCm(depthMm: number): string {
  const cm = depthMm / 10;
  return Number.isInteger(cm) ? String(cm) : cm.toFixed(1);
}

function formatSigned(value: number): string {
  const rounded = Math.round(value);
  return rounded > 0 ? `+${rounded}` : String(rounded);
}
