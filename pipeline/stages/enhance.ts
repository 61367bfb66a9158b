/**
 * The enhance stage: whatever B-mode arrives — the beamformer's linear envelope or a probe's own
 * 8-bit image — leaves as an 8-bit display image with square pixels. For an envelope, optional
 * enhancement first (pipeline/enhance/, docs/imaging.md): speckle-reducing diffusion, temporal
 * persistence, automatic gain; then depth gain compensation (replaced by the automatic gain when
 * that is on) and log compression against a fixed full-scale reference (so the probe's gain
 * shows as brightness, as on any scanner), then scan conversion of the polar grid to the screen.
 *
 * Settings (`pipeline.enhance`, device/config/schema.ts): dynamicRangeDb, displayWidth/Height,
 * speckleReduction { enabled, iterations, timeStep }, persistence { enabled, alpha },
 * autoGain { enabled, targetDb, maxGainDb }, each overridable in `presets[preset]`.
 */
import { BMODE_LEVELS_DEFAULTS, BmodeMapper, whiteLevel } from '../enhance/bmode-levels.js';
import { ScanConverterCache } from '../enhance/scan-convert.js';
import { SpeckleFilter } from '../enhance/speckle-filter.js';
import { Persistence } from '../enhance/persistence.js';
import { AutoGain } from '../enhance/auto-gain.js';
import { AUTO_GAIN_SMOOTHING_MM } from '../enhance/enhancement.js';
import { arrayOf, encodeFrame, nowMs, stamp, type DecodedFrame, type FrameHeader } from '../bus/frame-message.js';
import type { ImageGeometry } from '../../drivers/protocol/messages.js';
import type { Stage, StageContext } from '../stage-context.js';

interface Toggle {
  enabled: boolean;
}

/** A setting, overridden by the active preset's value when the preset sets it. */
function presetSetting<T>(ctx: StageContext, key: string, fallback: T): T {
  const presets = ctx.setting<Record<string, Record<string, unknown>>>('presets', {});
  const preset = presets[ctx.setting('preset', '')];
  return preset && preset[key] !== undefined ? (preset[key] as T) : ctx.setting(key, fallback);
}

function depthMm(g: ImageGeometry): number {
  return (g.kind === 'polar' ? g.rMaxM - g.rMinM : g.zMaxM - g.zMinM) * 1e3;
}

export function createStage(ctx: StageContext): Stage {
  const dynamicRangeDb = ctx.setting('dynamicRangeDb', 60);
  const size = { widthPx: ctx.setting('displayWidth', 640), heightPx: ctx.setting('displayHeight', 480) };
  const levels = {
    dynamicRangeDb,
    referenceDb: ctx.setting('referenceDb', BMODE_LEVELS_DEFAULTS.referenceDb),
    maxDepthGainDb: ctx.setting('maxDepthGainDb', BMODE_LEVELS_DEFAULTS.maxDepthGainDb),
  };
  // The preset-dependent part, built again when the active preset changes (a 'settings' control).
  const imagingFor = () => {
    const speckle = presetSetting<Toggle & { iterations: number; timeStep: number }>(ctx, 'speckleReduction', { enabled: false, iterations: 4, timeStep: 0.2 });
    const persist = presetSetting<Toggle & { alpha: number }>(ctx, 'persistence', { enabled: false, alpha: 0.5 });
    const agc = presetSetting<Toggle & { targetDb: number; maxGainDb: number }>(ctx, 'autoGain', { enabled: false, targetDb: -30, maxGainDb: 30 });
    return {
      agc,
      // With automatic gain on, it replaces the attenuation-based depth gain.
      mapper: new BmodeMapper(agc.enabled ? { ...levels, maxDepthGainDb: 0 } : levels),
      filter: speckle.enabled ? new SpeckleFilter({ iterations: speckle.iterations, timeStep: speckle.timeStep, speckleScale: 1 }) : null,
      persistence: persist.enabled ? new Persistence({ alpha: persist.alpha }) : null,
    };
  };
  let imaging = imagingFor();
  let autoGain: AutoGain | null = null;
  const converters = new ScanConverterCache();

  return {
    onControl(control) {
      if (control.type !== 'settings' || !('preset' in control.settings)) return;
      imaging = imagingFor();
      autoGain = null;
      ctx.log('info', `preset ${ctx.setting('preset', '')}: speckle reduction ${imaging.filter ? 'on' : 'off'}, persistence ${imaging.persistence ? 'on' : 'off'}, automatic gain ${imaging.agc.enabled ? 'on' : 'off'}`);
    },
    async onFrame(frame: DecodedFrame) {
      const inMs = nowMs();
      const { agc, mapper, filter, persistence } = imaging;
      const h = frame.header;
      if (h.kind !== 'bmode' || !h.imageGeometry) throw new Error(`expected a B-mode frame with its geometry, got ${h.kind}`);
      const desc = h.arrays[0];
      if (!desc || desc.shape.length !== 2) throw new Error('B-mode frame without a [row][column] image');
      const [rows, cols] = desc.shape as [number, number];
      let pixels: Uint8Array;
      if (desc.name === 'envelope') {
        if (!h.rf) throw new Error('beamformed frame without its acquisition parameters');
        const acquisition = { centerFrequencyHz: h.rf.centerFrequencyHz, elementCount: h.rf.transducer.elementCount, transmitCount: h.rf.transmits.parameters.length };
        let envelope = arrayOf(frame, 'envelope', 'float32');
        if (filter) envelope = filter.apply(envelope, rows, cols);
        if (persistence) envelope = persistence.apply(envelope, `${rows}/${cols}/${JSON.stringify(h.imageGeometry)}`);
        if (agc.enabled) {
          const target = whiteLevel(levels, acquisition) * 10 ** (agc.targetDb / 20);
          const smoothingRows = Math.max(3, Math.round((AUTO_GAIN_SMOOTHING_MM / depthMm(h.imageGeometry)) * rows) | 1);
          if (autoGain?.options.targetLevel !== target || autoGain.options.smoothingRows !== smoothingRows) {
            autoGain = new AutoGain({ targetLevel: target, maxGainDb: agc.maxGainDb, smoothingRows });
          }
          // The persistence state must not be scaled in place.
          envelope = autoGain.apply(persistence ? Float32Array.from(envelope) : envelope, rows, cols);
        }
        pixels = mapper.map(envelope, rows, cols, h.imageGeometry, acquisition);
      } else {
        pixels = arrayOf(frame, 'pixels', 'uint8');
      }
      const display = converters.get(h.imageGeometry, rows, cols, size).convert(pixels);
      // The skin at the probe centre: the apex of a convex array (polar grids start on the array
      // surface), z = 0 for a linear one.
      const g = h.imageGeometry;
      const skinZMm = g.kind === 'polar' ? (g.rMinM - g.apothemM) * 1000 : 0;
      const topDepthMm = display.origin.zMm - display.mmPerPixel / 2 - skinZMm;
      const out: Omit<FrameHeader, 'arrays'> = {
        ...h,
        kind: 'image',
        display: { mmPerPixel: display.mmPerPixel, xOriginMm: display.origin.xMm, zOriginMm: display.origin.zMm, topDepthMm },
        trace: [...h.trace],
      };
      delete out.rf;
      stamp(out as FrameHeader, ctx.name, inMs);
      await ctx.emit('image', encodeFrame('image', out, [{ name: 'pixels', data: display.pixels, shape: [display.height, display.width] }]));
    },
    async stop() {},
  };
}
