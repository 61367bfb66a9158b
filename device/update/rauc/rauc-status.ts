/**
 * `rauc status --output-format=json`, parsed into what the maintenance page and the installer
 * need: which slot runs, which boots next, whether the running one is marked good, and each
 * slot's installed bundle version.
 *
 * The booted slot is the one whose `state` is "booted" — the top-level `booted` field is the
 * bootname ("A") on some bootloaders and a device path on others, never a slot name to rely on.
 */

export interface RaucSlot {
  /** The slot's name in system.conf, e.g. "rootfs.0". */
  name: string;
  class: string;
  device: string;
  bootname: string | null;
  /** "booted", "active" or "inactive". */
  state: string;
  /** "good", "bad" or null (slots the bootloader does not choose between). */
  bootStatus: string | null;
  /** What RAUC installed into it (null: never installed by RAUC, e.g. the factory image). */
  bundleVersion: string | null;
  bundleCompatible: string | null;
  installedAt: string | null;
  sha256: string | null;
}

export interface RaucSystemStatus {
  compatible: string;
  /** The booted slot's name, or null when none reports "booted" (RAUC not set up). */
  booted: string | null;
  /** The slot the bootloader starts next. */
  bootPrimary: string | null;
  /** An installed system image waits for a reboot: the next boot is not the running slot. */
  pendingReboot: boolean;
  /** The running slot is marked good (the bootloader will not fall back from it). */
  bootedIsGood: boolean;
  slots: RaucSlot[];
}

export class RaucStatusError extends Error {
  override name = 'RaucStatusError';
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function parseRaucStatus(json: string): RaucSystemStatus {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    throw new RaucStatusError(`rauc status did not print JSON (${(err as Error).message}); is the rauc service running?`);
  }
  const top = obj(doc);
  if (typeof top.compatible !== 'string' || !Array.isArray(top.slots)) throw new RaucStatusError('rauc status JSON has no "compatible" and "slots"; unsupported RAUC version?');
  const slots: RaucSlot[] = [];
  for (const entry of top.slots) {
    for (const [name, raw] of Object.entries(obj(entry))) {
      const s = obj(raw);
      const status = obj(s.slot_status);
      const bundle = obj(status.bundle);
      slots.push({
        name,
        class: str(s.class) ?? name.split('.')[0]!,
        device: str(s.device) ?? '',
        bootname: str(s.bootname),
        state: str(s.state) ?? 'unknown',
        bootStatus: str(s.boot_status),
        bundleVersion: str(bundle.version),
        bundleCompatible: str(bundle.compatible),
        installedAt: str(obj(status.installed).timestamp),
        sha256: str(obj(status.checksum).sha256),
      });
    }
  }
  const booted = slots.find((s) => s.state === 'booted') ?? null;
  const bootPrimary = str(top.boot_primary);
  return {
    compatible: top.compatible,
    booted: booted?.name ?? null,
    bootPrimary,
    pendingReboot: booted !== null && bootPrimary !== null && bootPrimary !== booted.name,
    bootedIsGood: booted?.bootStatus === 'good',
    slots,
  };
}
