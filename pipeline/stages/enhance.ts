/**
 * The enhance stage: whatever B-mode arrives — the beamformer's linear envelope or a probe's own
 * 8-bit image — leaves as an 8-bit display image with square pixels: depth gain compensation
 * and log compression against a fixed full-scale reference (so the probe's gain shows as
 * brightness, as on any scanner), then scan conversion of the polar grid to the screen.
 */
import { BMODE_LEVELS_DEFAULTS, BmodeMapper } from '../enhance/bmode-levels.js';
import { ScanConverterCache } from '../enhance/scan-convert.js';
import { arrayOf, encodeFrame, nowMs, stamp, type DecodedFrame, type FrameHeader } from '../bus/frame-message.js';
import type { Stage, StageContext } from '../stage-context.js';

export function createStage(ctx: StageContext): Stage {
  const dynamicRangeDb = ctx.setting('dynamicRangeDb', 60);
  const size = { widthPx: ctx.setting('displayWidth', 640), heightPx: ctx.setting('displayHeight', 480) };
  const mapper = new BmodeMapper({
    dynamicRangeDb,
    referenceDb: ctx.setting('referenceDb', BMODE_LEVELS_DEFAULTS.referenceDb),
    maxDepthGainDb: ctx.setting('maxDepthGainDb', BMODE_LEVELS_DEFAULTS.maxDepthGainDb),
  });
  const converters = new ScanConverterCache();

  return {
    async onFrame(frame: DecodedFrame) {
      const inMs = nowMs();
      const h = frame.header;
      if (h.kind !== 'bmode' || !h.imageGeometry) throw new Error(`expected a B-mode frame with its geometry, got ${h.kind}`);
      const desc = h.arrays[0];
      if (!desc || desc.shape.length !== 2) throw new Error('B-mode frame without a [row][column] image');
      const [rows, cols] = desc.shape as [number, number];
      let pixels: Uint8Array;
      if (desc.name === 'envelope') {
        if (!h.rf) throw new Error('beamformed frame without its acquisition parameters');
        const acquisition = { centerFrequencyHz: h.rf.centerFrequencyHz, elementCount: h.rf.transducer.elementCount, transmitCount: h.rf.transmits.parameters.length };
        pixels = mapper.map(arrayOf(frame, 'envelope', 'float32'), rows, cols, h.imageGeometry, acquisition);
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
