import test from 'ava';
import { RfModel } from '../../../drivers/sim/physics/rf-model.js';
import { C5_2V, L11_5V } from '../../../drivers/sim/physics/probes.js';
import { staticScene } from '../../../drivers/sim/physics/scene.js';
import { foundationLungScene } from '../../../drivers/sim/physics/foundation-scene.js';

const centredPlaneWave = { kind: 'plane' as const, parameters: [0] };

/** Channel e of transmit t as numbers. */
function channel(frame: { samples: Int16Array; elementCount: number; sampleCount: number }, t: number, e: number): Int16Array {
  const off = (t * frame.elementCount + e) * frame.sampleCount;
  return frame.samples.subarray(off, off + frame.sampleCount);
}

function peakAbs(x: ArrayLike<number>, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / x.length);
}

test('the echo of a point scatterer is centred on its round-trip time and its spectrum peaks at fc', (t) => {
  const model = new RfModel(L11_5V, { noiseDbBelowFullScale: Infinity, attenuationDbPerCmMhz: 0 });
  model.configure({ depthM: 0.03, gainDb: 0, transmits: centredPlaneWave });
  const el = model.elements;
  const z = 0.02;
  const frame = model.simulate(staticScene([{ xM: el.xM[64]!, zM: z, amplitude: 20 }]), 0);
  const rf = channel(frame, 0, 64);
  const fs = frame.samplingRateHz;
  // Envelope peak at 2z/c (the element above the point launches the wave and receives it).
  let best = 0;
  let at = 0;
  rf.forEach((v, i) => {
    if (Math.abs(v) > best) {
      best = Math.abs(v);
      at = i;
    }
  });
  t.true(Math.abs(at / fs - (2 * z) / 1540) <= 1 / fs, `echo at ${at} samples, expected ${((2 * z) / 1540) * fs}`);
  // DFT magnitude over 0..fs/2: peak near fc.
  let peakF = 0;
  let peakMag = 0;
  for (let f = 0.5e6; f < fs / 2; f += 0.05e6) {
    let re = 0;
    let im = 0;
    for (let i = 0; i < rf.length; i++) {
      re += rf[i]! * Math.cos((2 * Math.PI * f * i) / fs);
      im -= rf[i]! * Math.sin((2 * Math.PI * f * i) / fs);
    }
    const mag = Math.hypot(re, im);
    if (mag > peakMag) {
      peakMag = mag;
      peakF = f;
    }
  }
  const fc = L11_5V.geometry.centerFrequencyHz;
  t.true(Math.abs(peakF - fc) < 0.05 * fc, `spectral peak at ${peakF / 1e6} MHz, fc = ${fc / 1e6} MHz`);
});

test('attenuation at fc lowers deep echoes by 0.5 dB/cm/MHz × fc × round-trip path', (t) => {
  const depths = [0.01, 0.03];
  const peakAt = (attenuationDbPerCmMhz: number, z: number): number => {
    const model = new RfModel(L11_5V, { noiseDbBelowFullScale: Infinity, attenuationDbPerCmMhz, countsPerUnit: 3000 });
    model.configure({ depthM: 0.04, gainDb: 0, transmits: centredPlaneWave });
    const frame = model.simulate(staticScene([{ xM: model.elements.xM[64]!, zM: z, amplitude: 10 }]), 0);
    return peakAbs(channel(frame, 0, 64));
  };
  const fcMhz = L11_5V.geometry.centerFrequencyHz / 1e6;
  const lossDb = depths.map((z) => 20 * Math.log10(peakAt(0, z) / peakAt(0.5, z)));
  depths.forEach((z, i) => {
    const expected = 0.5 * fcMhz * 2 * z * 100;
    t.true(Math.abs(lossDb[i]! - expected) < 0.1, `at ${z * 1e3} mm: ${lossDb[i]!.toFixed(2)} dB, expected ${expected.toFixed(2)} dB`);
  });
  t.true(lossDb[1]! > lossDb[0]! + 15, 'the deeper echo loses more');
});

test('analogue gain scales the RF by the requested dB; the ADC clips at int16 instead of wrapping', (t) => {
  const model = new RfModel(C5_2V, { noiseDbBelowFullScale: Infinity });
  const scene = staticScene([{ xM: 0, zM: 0.04, amplitude: 50 }, { xM: 0.01, zM: 0.06, amplitude: -30 }]);
  const transmits = { kind: 'diverging' as const, parameters: [0] };
  const at = (gainDb: number) => {
    model.configure({ depthM: 0.08, gainDb, transmits });
    return model.simulate(scene, 0);
  };
  const f0 = at(0);
  const f6 = at(6);
  t.is(f6.gainDb, 6);
  t.true(peakAbs(f6.samples) < 32767 && peakAbs(f0.samples) > 1000, 'test levels: no clipping, well above rounding');
  const ratioDb = 20 * Math.log10(rms(f6.samples) / rms(f0.samples));
  t.true(Math.abs(ratioDb - 6) < 0.01, `gain ratio ${ratioDb} dB`);
  // +60 dB drives the echoes 30× past full scale: they saturate with their sign kept.
  const loud = at(60);
  let saturated = 0;
  f0.samples.forEach((v, i) => {
    if (Math.abs(v) < 100) return;
    const l = loud.samples[i]!;
    t.true(v > 0 ? l === 32767 : l === -32768, `sample ${i}: ${v} at 0 dB → ${l} at 60 dB`);
    saturated++;
  });
  t.true(saturated > 10);
});

test('electronic noise has the configured level below ADC full scale', (t) => {
  const model = new RfModel(C5_2V, { noiseDbBelowFullScale: 70 });
  model.configure({ depthM: 0.05, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
  const frame = model.simulate(staticScene([]), 0.1);
  const expected = 32767 * 10 ** (-70 / 20);
  t.true(Math.abs(rms(frame.samples) / expected - 1) < 0.05, `noise RMS ${rms(frame.samples)} counts, expected ${expected}`);
});

test('foundation scene: frames at different times differ (breathing motion); the same seed and time give identical frames', (t) => {
  const transmits = { kind: 'diverging' as const, parameters: [-0.01, 0, 0.01] };
  const make = () => {
    const model = new RfModel(C5_2V, { seed: 7 });
    model.configure({ depthM: 0.06, gainDb: 0, transmits });
    return { model, scene: foundationLungScene(C5_2V.geometry, { depthM: 0.06, seed: 7 }) };
  };
  const a = make();
  const b = make();
  const a0 = a.model.simulate(a.scene, 0.5, 0);
  const a1 = a.model.simulate(a.scene, 1.5, 1);
  const b0 = b.model.simulate(b.scene, 0.5, 0);
  t.deepEqual(a0.samples, b0.samples);
  t.notDeepEqual(a0.samples, a1.samples);
  t.is(a0.transmitCount, 3);
  t.is(a0.samples.length, 3 * 128 * a0.sampleCount);
  t.true(a0.transmitDelaysS.length === 3 * 128 && Math.min(...a0.transmitDelaysS.subarray(256)) === 0);
});

test('record length covers the deepest echo: max delay + 2·depth/c + margin', (t) => {
  const model = new RfModel(C5_2V);
  model.configure({ depthM: 0.12, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
  const fs = C5_2V.geometry.samplingRateHz;
  t.is(model.sampleCount, Math.ceil(((2 * 0.12) / 1540 + 10e-6) * fs));
  t.throws(() => new RfModel(C5_2V).simulate(staticScene([]), 0), { message: /configure\(\) must be called/ });
});

test('frequency-dependent attenuation: a deep echo comes back at a lower frequency, by up to σf² α L (less as the band edge nears)', (t) => {
  const fs = C5_2V.geometry.samplingRateHz;
  const fc = C5_2V.geometry.centerFrequencyHz;
  const centroidAt = (z: number): number => {
    const model = new RfModel(C5_2V, { noiseDbBelowFullScale: Infinity, countsPerUnit: 30000, frequencyDownshift: true });
    model.configure({ depthM: 0.1, gainDb: 0, transmits: { kind: 'diverging', parameters: [0] } });
    const rf = channel(model.simulate(staticScene([{ xM: 0, zM: model.elements.zM[64]! + z, amplitude: 10 }]), 0), 0, 64);
    let moment = 0;
    let power = 0;
    for (let f = 0.25e6; f < fs / 2; f += 0.05e6) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < rf.length; i++) {
        re += rf[i]! * Math.cos((2 * Math.PI * f * i) / fs);
        im -= rf[i]! * Math.sin((2 * Math.PI * f * i) / fs);
      }
      const p = re * re + im * im;
      moment += p * f;
      power += p;
    }
    return moment / power;
  };
  const sigmaF = (0.79 * fc) / (2 * Math.sqrt(2 * Math.LN2));
  const alpha = (0.5 * 100 * Math.LN10) / 20 / 1e6; // Np / m / Hz
  const shallow = centroidAt(0.005);
  const deep = centroidAt(0.05);
  // A pure Gaussian spectrum would shift by σf² α L (L = 2 z); the probe's band edge slows it.
  const gaussianShift = sigmaF * sigmaF * alpha * 2 * (0.05 - 0.005);
  const shift = shallow - deep;
  t.true(shift > 0.5 * gaussianShift && shift <= 1.05 * gaussianShift, `shift ${(shift / 1e6).toFixed(2)} MHz, Gaussian limit ${(gaussianShift / 1e6).toFixed(2)} MHz`);
});
