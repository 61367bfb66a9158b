/**
 * The body map: an inline SVG of the chest (front, with the lateral zones at its sides, and the
 * back for the 12-zone protocol), one touchable rectangle per zone with its label, its status
 * (not scanned / captured), its AI score, the current zone outlined and the suggested next one
 * dashed. Tapping a zone calls `onSelect`.
 */
import { t } from '../i18n/messages.js';
import { CHEST_GEOMETRY, MAP_WIDTH, mapHeight, zoneShapes, type ZoneShape } from './lung-zones.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface ZoneState {
  captured: boolean;
  /** The AI zone score recorded at capture (decision support); null: none. */
  score: number | null;
}

export interface BodyMapState {
  protocol: string;
  current: string | null;
  next: string | null;
  zones: ReadonlyMap<string, ZoneState>;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A torso outline behind the zones: shoulders, flanks, the sternum or the spine as a line. */
function torso(top: number, rows: number, midline: 'sternum' | 'spine'): SVGGElement {
  const { ROW_H, GAP, COL, COL_W } = CHEST_GEOMETRY;
  const g = el('g', { class: 'torso', 'aria-hidden': 'true' });
  const left = COL.outerLeft - 8;
  const right = COL.outerRight + COL_W + 8;
  const bottom = top + rows * ROW_H + (rows - 1) * GAP + 8;
  const mid = (left + right) / 2;
  g.append(
    el('path', {
      d: `M ${mid - 34} ${top - 22} Q ${mid} ${top - 12} ${mid + 34} ${top - 22} L ${right - 10} ${top - 10} Q ${right} ${top - 6} ${right} ${top + 8} L ${right - 6} ${bottom} L ${left + 6} ${bottom} L ${left} ${top + 8} Q ${left} ${top - 6} ${left + 10} ${top - 10} Z`,
      class: 'torso-outline',
    }),
    el('line', { x1: mid, y1: top - 14, x2: mid, y2: bottom - 4, class: `torso-${midline}` }),
  );
  return g;
}

export class BodyMap {
  private shapes: ZoneShape[] = [];
  private protocol = '';

  constructor(private readonly svg: SVGSVGElement, private readonly onSelect: (zone: string) => void) {}

  render(state: BodyMapState): void {
    if (state.protocol !== this.protocol) this.build(state.protocol);
    for (const shape of this.shapes) {
      const group = this.svg.querySelector<SVGGElement>(`[data-zone="${shape.zone}"]`);
      if (!group) continue;
      const zs = state.zones.get(shape.zone) ?? { captured: false, score: null };
      group.dataset['status'] = zs.captured ? 'captured' : 'not-scanned';
      group.dataset['current'] = String(state.current === shape.zone);
      group.dataset['next'] = String(state.next === shape.zone);
      group.setAttribute('aria-pressed', String(state.current === shape.zone));
      // In the box only what fits a gloved glance; the legend and the title say it in full.
      const score = zs.score === null ? t('exam.zone.aiNone') : t('exam.zone.aiScore', { score: zs.score });
      group.querySelector('.zone-status')!.textContent = zs.captured ? score : '';
      group.querySelector('title')!.textContent = `${shape.zone}: ${zs.captured ? `${t('exam.zone.captured')}, ${score}` : t('exam.zone.notScanned')}`;
    }
  }

  private build(protocol: string): void {
    this.protocol = protocol;
    this.shapes = zoneShapes(protocol);
    const height = mapHeight(protocol);
    const { FRONT_TOP, BACK_TOP, ROW_H } = CHEST_GEOMETRY;
    // 1:1 with CSS pixels, so each zone's rectangle is its touch target.
    this.svg.setAttribute('viewBox', `0 0 ${MAP_WIDTH} ${height}`);
    this.svg.setAttribute('width', String(MAP_WIDTH));
    this.svg.setAttribute('height', String(height));
    this.svg.replaceChildren();
    const hasBack = this.shapes.some((s) => s.view === 'back');
    this.svg.append(torso(FRONT_TOP, 2, 'sternum'), el('text', { x: 4, y: 12, class: 'map-caption' }, t('exam.map.front')));
    this.svg.append(el('text', { x: 4, y: FRONT_TOP + ROW_H + 8, class: 'map-side' }, 'R'), el('text', { x: MAP_WIDTH - 12, y: FRONT_TOP + ROW_H + 8, class: 'map-side' }, 'L'));
    if (hasBack) {
      this.svg.append(torso(BACK_TOP, 2, 'spine'), el('text', { x: 4, y: BACK_TOP - 30, class: 'map-caption' }, t('exam.map.back')));
      this.svg.append(el('text', { x: 60, y: BACK_TOP + ROW_H + 8, class: 'map-side' }, 'L'), el('text', { x: MAP_WIDTH - 72, y: BACK_TOP + ROW_H + 8, class: 'map-side' }, 'R'));
    }
    for (const s of this.shapes) {
      const g = el('g', { class: 'zone', 'data-zone': s.zone, 'data-testid': `zone-${s.zone}`, role: 'button', tabindex: 0 });
      g.append(
        el('title', {}),
        el('rect', { x: s.x, y: s.y, width: s.width, height: s.height, rx: 8, class: 'zone-box' }),
        el('text', { x: s.x + s.width / 2, y: s.y + s.height / 2 - 4, class: 'zone-label' }, s.zone),
        el('text', { x: s.x + s.width / 2, y: s.y + s.height / 2 + 16, class: 'zone-status' }),
      );
      g.addEventListener('click', () => this.onSelect(s.zone));
      g.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') this.onSelect(s.zone);
      });
      this.svg.append(g);
    }
  }
}
