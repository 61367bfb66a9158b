import type { KioskControl } from '../web/protocol.js';

/**
 * Sanity bounds for commands coming from the page. The device app still clamps to what the
 * connected probe supports; these only keep nonsense (NaN, 1e9 mm) out of the device.
 */
export const CONTROL_LIMITS = {
  depthMm: { min: 10, max: 400 },
  gainDb: { min: -60, max: 60 },
} as const;

export type ControlValidation =
  | { ok: true; control: KioskControl }
  | { ok: false; error: string };

const ALLOWED_KEYS: Record<KioskControl['type'], readonly string[]> = {
  freeze: ['type', 'frozen'],
  depth: ['type', 'depthMm'],
  gain: ['type', 'gainDb'],
  preset: ['type', 'preset'],
};

/** Preset names: short, lower-case words (the device checks that the name exists). */
const PRESET_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function inRange(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** Parses one text WebSocket message from the page. Never throws. */
export function parseControlMessage(text: string): ControlValidation {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, error: 'control message is not valid JSON' };
  }
  return validateControl(raw);
}

/** Strict check: known type, exact key set, typed and bounded values. Never throws. */
export function validateControl(raw: unknown): ControlValidation {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, error: 'control message must be a JSON object' };
  }
  const msg = raw as Record<string, unknown>;
  const type = msg['type'];
  if (type !== 'freeze' && type !== 'depth' && type !== 'gain' && type !== 'preset') {
    return { ok: false, error: `unknown control type ${JSON.stringify(type)}; expected "freeze", "depth", "gain" or "preset"` };
  }
  const extra = Object.keys(msg).filter((k) => !ALLOWED_KEYS[type].includes(k));
  if (extra.length > 0) {
    return { ok: false, error: `unexpected field(s) in "${type}" control: ${extra.join(', ')}` };
  }
  switch (type) {
    case 'freeze': {
      const frozen = msg['frozen'];
      if (typeof frozen !== 'boolean') return { ok: false, error: '"freeze" control needs boolean "frozen"' };
      return { ok: true, control: { type, frozen } };
    }
    case 'depth': {
      const { min, max } = CONTROL_LIMITS.depthMm;
      const depthMm = msg['depthMm'];
      if (!inRange(depthMm, min, max)) {
        return { ok: false, error: `"depth" control needs "depthMm" as a number ${min}…${max}, got ${JSON.stringify(depthMm)}` };
      }
      return { ok: true, control: { type, depthMm } };
    }
    case 'gain': {
      const { min, max } = CONTROL_LIMITS.gainDb;
      const gainDb = msg['gainDb'];
      if (!inRange(gainDb, min, max)) {
        return { ok: false, error: `"gain" control needs "gainDb" as a number ${min}…${max}, got ${JSON.stringify(gainDb)}` };
      }
      return { ok: true, control: { type, gainDb } };
    }
    case 'preset': {
      const preset = msg['preset'];
      if (typeof preset !== 'string' || !PRESET_NAME.test(preset)) {
        return { ok: false, error: `"preset" control needs "preset" as a preset name (e.g. "lung"), got ${JSON.stringify(preset)}` };
      }
      return { ok: true, control: { type, preset } };
    }
  }
}
