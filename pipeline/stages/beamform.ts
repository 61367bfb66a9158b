/**
 * The beamform stage: RF channel data → linear envelope on the probe's scan grid (polar for a
 * convex array, Cartesian for a linear one), by delay-and-sum with coherent compounding
 * (pipeline/beamform/, docs/beamforming.md). The grid follows the depth of each frame; the
 * beamformer and its plan are rebuilt only when the probe, the depth or the transmit sequence
 * change.
 */
import type { TransducerGeometry } from '../../drivers/protocol/messages.js';
import { Beamformer, type ChannelData } from '../beamform/beamformer.js';
import type { ApodizationWindow } from '../beamform/apodization.js';
import { probeScanGrid } from '../beamform/grid.js';
import { arrayOf, encodeFrame, stamp, nowMs, type DecodedFrame, type FrameHeader } from '../bus/frame-message.js';
import type { Stage, StageContext } from '../stage-context.js';

export function createStage(ctx: StageContext): Stage {
  const scanLines = ctx.setting('scanLines', 128);
  const depthSamples = ctx.setting('depthSamples', 512);
  const fNumber = ctx.setting('fNumber', 1.5);
  const window = ctx.setting<ApodizationWindow>('apodization', 'hann');
  let current: { key: string; beamformer: Beamformer } | null = null;

  const beamformerFor = (probe: TransducerGeometry, depthM: number): Beamformer => {
    const key = JSON.stringify([probe, depthM]);
    if (current?.key !== key) {
      const grid = probeScanGrid(probe, depthM, { colCount: scanLines, rowCount: depthSamples });
      current = { key, beamformer: new Beamformer(probe, grid, { fNumber, window }) };
      ctx.log('info', `grid ${grid.kind} ${grid.rowCount}×${grid.colCount} to ${(depthM * 1000).toFixed(0)} mm, F = ${fNumber}, ${window}`);
    }
    return current.beamformer;
  };

  return {
    async onFrame(frame: DecodedFrame) {
      const inMs = nowMs();
      const h = frame.header;
      if (h.kind !== 'rf' || !h.rf || h.depthM === undefined) throw new Error(`expected an RF frame with acquisition parameters, got ${h.kind}`);
      const samplesDesc = h.arrays.find((a) => a.name === 'samples');
      if (!samplesDesc || samplesDesc.shape.length !== 3) throw new Error('RF frame without [transmit][element][sample] samples');
      const [transmitCount, elementCount, sampleCount] = samplesDesc.shape as [number, number, number];
      const channels: ChannelData = {
        samplingRateHz: h.rf.samplingRateHz,
        centerFrequencyHz: h.rf.centerFrequencyHz,
        t0S: h.rf.t0S,
        soundSpeedMps: h.rf.soundSpeedMps,
        transmitCount,
        elementCount,
        sampleCount,
        transmitDelaysS: arrayOf(frame, 'transmitDelaysS', 'float32'),
        samples: arrayOf(frame, 'samples', 'int16'),
      };
      const image = beamformerFor(h.rf.transducer, h.depthM).beamform(channels);
      // The acquisition parameters stay in the header: enhance needs the centre frequency (TGC)
      // and the channel and transmit counts (the envelope's full-scale reference).
      const out: Omit<FrameHeader, 'arrays'> = { ...h, kind: 'bmode', imageGeometry: image.geometry, trace: [...h.trace] };
      stamp(out as FrameHeader, ctx.name, inMs);
      await ctx.emit('bmode', encodeFrame('bmode', out, [{ name: 'envelope', data: image.envelope, shape: [image.rowCount, image.colCount] }]));
    },
    async stop() {},
  };
}
