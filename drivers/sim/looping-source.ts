/**
 * A frame source that plays a loop: the first `loopFrames` frames after each CONFIGURE are
 * simulated (at the scene time of their slot in the loop), later ones are replayed from memory.
 * It takes the simulator's own compute cost out of a pipeline benchmark, the way a benchmark of
 * a scanner's host software would use recorded channel data. The loop covers
 * loopFrames / frameRateHz seconds of motion.
 */
import type { Configure } from '../protocol/messages.js';
import type { FrameSource, SourceFrame } from './simulated-probe.js';

type Frame = SourceFrame;

export function loopingSource(inner: FrameSource, loopFrames: number): FrameSource {
  let loop: Frame[] = [];
  let frameRateHz = 1;
  return {
    identity: inner.identity,
    check: (c) => inner.check(c),
    configure(c: Configure) {
      inner.configure(c);
      loop = [];
      frameRateHz = c.frameRateHz;
    },
    frame(_timeS: number, frameIndex: number): Frame | null {
      const slot = frameIndex % loopFrames;
      let f = loop[slot];
      if (!f) {
        const made = inner.frame(slot / frameRateHz, slot);
        if (!made) return null;
        f = made;
        loop[slot] = f;
      }
      // A fresh payload per frame: downstream code may hold on to the previous one.
      const truth = f.truth ? { truth: f.truth } : {};
      return f.type === 'rf'
        ? { type: 'rf', body: { ...f.body, frameIndex, samples: f.body.samples.slice(), transmitDelaysS: f.body.transmitDelaysS.slice() }, ...truth }
        : { type: 'bmode', body: { ...f.body, frameIndex, pixels: f.body.pixels.slice() }, ...truth };
    },
    close: () => inner.close?.(),
  };
}
