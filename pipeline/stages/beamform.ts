/**
 * The beamform stage: RF channel data → linear envelope on the probe's scan grid (polar for a
 * convex array, Cartesian for a linear one), by delay-and-sum with coherent compounding, run by
 * the WebAssembly SIMD beamformer on `threads` threads (pipeline/beamform/fast-beamformer.ts,
 * docs/beamforming.md). Optionally weights the envelope by the coherence factor. The grid
 * follows the depth of each frame; the beamformer and its plan are rebuilt only when the probe,
 * the depth or the transmit sequence change.
 *
 * Settings (`pipeline.beamform`, device/config/schema.ts): scanLines, depthSamples, fNumber,
 * apodization, threads (0: all cores but one), interpolation, delayTableMaxMiB, coherenceFactor { enabled, exponent },
 * and per-preset overrides in `presets[preset]` (the active preset arrives as setting `preset`).
 */
import os from 'node:os';
import type { TransducerGeometry } from '../../drivers/protocol/messages.js';
import type { ChannelData } from '../beamform/beamformer.js';
import type { ApodizationWindow } from '../beamform/apodization.js';
import { FastBeamformer } from '../beamform/fast-beamformer.js';
import type { KernelInterpolation } from '../beamform/wasm/das-kernel.js';
import { probeScanGrid } from '../beamform/grid.js';
import { applyCoherenceWeighting, coherenceWindow, smoothCoherence } from '../enhance/coherence.js';
import { arrayOf, encodeFrame, stamp, nowMs, type DecodedFrame, type FrameHeader } from '../bus/frame-message.js';
import type { Stage, StageContext } from '../stage-context.js';

interface CoherenceSetting {
  enabled: boolean;
  exponent: number;
}

/** A setting, overridden by the active preset's value when the preset sets it. */
function presetSetting<T>(ctx: StageContext, key: string, fallback: T): T {
  const presets = ctx.setting<Record<string, Record<string, unknown>>>('presets', {});
  const preset = presets[ctx.setting('preset', '')];
  return preset && preset[key] !== undefined ? (preset[key] as T) : ctx.setting(key, fallback);
}

export function createStage(ctx: StageContext): Stage {
  const scanLines = ctx.setting('scanLines', 128);
  const depthSamples = ctx.setting('depthSamples', 512);
  const fNumber = ctx.setting('fNumber', 1.5);
  const window = ctx.setting<ApodizationWindow>('apodization', 'hann');
  // 0: every core but one, which stays for acquisition, enhancement, the app and the kiosk (and,
  // on a development machine, the simulated probe).
  const threadSetting = ctx.setting('threads', 0);
  const threads = threadSetting > 0 ? threadSetting : Math.max(1, os.availableParallelism() - 1);
  const interpolation = ctx.setting<KernelInterpolation>('interpolation', 'exact');
  const delayTableMaxBytes = ctx.setting('delayTableMaxMiB', 128) * 2 ** 20;
  let coherence = presetSetting<CoherenceSetting>(ctx, 'coherenceFactor', { enabled: false, exponent: 0.5 });
  let current: { key: string; beamformer: FastBeamformer; cf: Float32Array | null; scratch: Float32Array | null } | null = null;

  const beamformerFor = (probe: TransducerGeometry, depthM: number) => {
    const key = JSON.stringify([probe, depthM]);
    if (current?.key !== key) {
      void current?.beamformer.close();
      const grid = probeScanGrid(probe, depthM, { colCount: scanLines, rowCount: depthSamples });
      const beamformer = new FastBeamformer(probe, grid, { fNumber, window, threads, interpolation, delayTableMaxBytes });
      const pixels = grid.rowCount * grid.colCount;
      current = { key, beamformer, cf: coherence.enabled ? new Float32Array(pixels) : null, scratch: coherence.enabled ? new Float32Array(pixels) : null };
      ctx.log('info', `grid ${grid.kind} ${grid.rowCount}×${grid.colCount} to ${(depthM * 1000).toFixed(0)} mm, F = ${fNumber}, ${window}, ${threads} thread(s), ${interpolation}${coherence.enabled ? `, coherence factor γ = ${coherence.exponent}` : ''}`);
    }
    return current;
  };

  return {
    async onControl(control) {
      if (control.type !== 'settings' || !('preset' in control.settings)) return;
      // Another preset may weight by coherence or not: the next frame builds its beamformer again.
      coherence = presetSetting<CoherenceSetting>(ctx, 'coherenceFactor', { enabled: false, exponent: 0.5 });
      await current?.beamformer.close();
      current = null;
    },
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
      const bf = beamformerFor(h.rf.transducer, h.depthM);
      // A fresh envelope per frame: the bus hands the buffer to ZeroMQ without copying.
      const image = bf.beamformer.beamform(channels, bf.cf ? { coherence: bf.cf } : {});
      if (bf.cf) {
        smoothCoherence(bf.cf, image.rowCount, image.colCount, coherenceWindow(image.geometry, image.rowCount, channels.centerFrequencyHz, channels.soundSpeedMps), bf.scratch!);
        applyCoherenceWeighting(image.envelope, bf.cf, { exponent: coherence.exponent });
      }
      // The acquisition parameters stay in the header: enhance needs the centre frequency (TGC)
      // and the channel and transmit counts (the envelope's full-scale reference).
      const out: Omit<FrameHeader, 'arrays'> = { ...h, kind: 'bmode', imageGeometry: image.geometry, trace: [...h.trace] };
      stamp(out as FrameHeader, ctx.name, inMs);
      await ctx.emit('bmode', encodeFrame('bmode', out, [{ name: 'envelope', data: image.envelope, shape: [image.rowCount, image.colCount] }]));
    },
    async stop() {
      await current?.beamformer.close();
      current = null;
    },
  };
}
