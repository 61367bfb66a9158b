/**
 * The scanning protocols the device's exam API accepts (device/exam/protocols.ts: lus-12,
 * lus-8, lus-6), mirrored for the page, and where each zone lies on the body map.
 *
 * Zone numbers per side follow the device: 1/2 anterior upper/lower, 3/4 lateral upper/lower,
 * 5/6 posterior upper/lower. In the 6-zone protocol (BLUE points) zone 3 is the posterolateral
 * (PLAPS) point, drawn over the whole lateral column.
 */

export type ExamProtocolId = 'lus-12' | 'lus-8' | 'lus-6';

export const EXAM_PROTOCOLS: readonly { id: ExamProtocolId; zonesPerSide: number }[] = [
  { id: 'lus-8', zonesPerSide: 4 },
  { id: 'lus-12', zonesPerSide: 6 },
  { id: 'lus-6', zonesPerSide: 3 },
];

/** The protocol's zones in scanning order (the device's order: the right side, then the left). */
export function protocolZones(protocol: string): string[] {
  const n = EXAM_PROTOCOLS.find((p) => p.id === protocol)?.zonesPerSide ?? 6;
  return ['R', 'L'].flatMap((side) => Array.from({ length: n }, (_, i) => `${side}${i + 1}`));
}

/** The next zone to scan: the first in protocol order without a clip; null when all have one. */
export function nextZone(zones: readonly string[], captured: ReadonlySet<string>): string | null {
  return zones.find((z) => !captured.has(z)) ?? null;
}

export type ChestView = 'front' | 'back';

/** A zone's rectangle on the body map, in CSS pixels of the map (drawn 1:1, so ≥ 48 px to touch). */
export interface ZoneShape {
  zone: string;
  view: ChestView;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Front view: the patient faces the operator, so the patient's right is on the left of the map. */
const FRONT_TOP = 40;
const ROW_H = 56;
const BACK_TOP = 210;
const GAP = 6;
const COL = { outerLeft: 18, innerLeft: 86, innerRight: 156, outerRight: 224 } as const;
const COL_W = 62;

export const MAP_WIDTH = 304;
export const mapHeight = (protocol: string): number => (protocol === 'lus-12' ? BACK_TOP + 2 * ROW_H + GAP + 12 : FRONT_TOP + 2 * ROW_H + GAP + 12);

export function zoneShapes(protocol: string): ZoneShape[] {
  const zones = protocolZones(protocol);
  const perSide = zones.length / 2;
  const shapes: ZoneShape[] = [];
  for (const zone of zones) {
    const side = zone[0] as 'R' | 'L';
    const n = Number(zone.slice(1));
    const upper = n % 2 === 1;
    const y = upper ? FRONT_TOP : FRONT_TOP + ROW_H + GAP;
    if (n <= 2) {
      shapes.push({ zone, view: 'front', x: side === 'R' ? COL.innerLeft : COL.innerRight, y, width: COL_W, height: ROW_H });
    } else if (n <= 4) {
      const x = side === 'R' ? COL.outerLeft : COL.outerRight;
      if (perSide === 3) shapes.push({ zone, view: 'front', x, y: FRONT_TOP, width: COL_W, height: 2 * ROW_H + GAP });
      else shapes.push({ zone, view: 'front', x, y, width: COL_W, height: ROW_H });
    } else {
      // Back view: seen from behind, the patient's right is on the right of the map.
      const by = upper ? BACK_TOP : BACK_TOP + ROW_H + GAP;
      shapes.push({ zone, view: 'back', x: side === 'R' ? COL.innerRight : COL.innerLeft, y: by, width: COL_W, height: ROW_H });
    }
  }
  return shapes;
}

export const CHEST_GEOMETRY = { FRONT_TOP, BACK_TOP, ROW_H, GAP, COL, COL_W } as const;
