/**
 * The acquire stage owns the probe link: it connects (and keeps reconnecting), configures the
 * probe from the stage's settings, and turns every FRAME_RF / FRAME_BMODE into a bus frame —
 * RF to the beamformer, probe-beamformed images straight to enhance. Controls from the app
 * (freeze, depth, gain, mode) become FREEZE / CONFIGURE on the probe.
 */
import { ProbeLink, type LinkMessage } from '../../drivers/probe/probe-link.js';
import type { TransportSpec } from '../../drivers/transports/transport.js';
import { MessageType, type Configure, type FrameBmode, type FrameRf, type Identify, type TransmitSequence } from '../../drivers/protocol/messages.js';
import { encodeFrame, nowMs, stamp, type FrameHeader } from '../bus/frame-message.js';
import type { StageControl } from '../stage-ipc.js';
import type { Stage, StageContext } from '../stage-context.js';

interface AcquireSettings {
  transport: TransportSpec;
  preset: string;
  mode: 'rf' | 'bmode';
  depthMm: number;
  gainDb: number;
  frameRateHz: number;
  transmits: TransmitSequence;
  frozen: boolean;
}

export function createStage(ctx: StageContext): Stage {
  const settings = ctx.spec.settings as unknown as AcquireSettings;
  const link = new ProbeLink({ transport: settings.transport });
  let identify: Identify | null = null;
  let seq = 0;
  let stopped = false;
  const probe: Record<string, unknown> = { state: link.state };
  ctx.detail.probe = probe;

  const refreshLinkStats = () => {
    const s = link.stats;
    probe.link = { ...s.decoder.frames, bytesSkipped: s.decoder.bytesSkipped, resyncs: s.decoder.resyncs, crcErrors: s.decoder.crcErrors, headerErrors: s.decoder.headerErrors, badPayload: s.decoder.badPayload, connects: s.connects, linkLosses: s.linkLosses, droppedMessages: s.droppedMessages };
    probe.lastError = s.lastError;
  };
  const statsTimer = setInterval(refreshLinkStats, 500);

  link.on('state', (state) => {
    probe.state = state;
    ctx.log('info', `probe ${state}`);
  });
  link.on('status', (s) => Object.assign(probe, { temperatureC: s.temperatureC, supplyVoltageV: s.supplyVoltageV, batteryPercent: s.batteryPercent, errorFlags: s.errorFlags }));
  link.on('probeError', (e) => ctx.log(e.severity >= 2 ? 'error' : 'warn', `probe error ${e.code}: ${e.message}`));
  link.on('attemptFailed', (err, retryInMs) => ctx.log('warn', `probe link: ${err.message}${retryInMs === null ? '' : ` (retry in ${retryInMs} ms)`}`));
  link.on('linkLost', (err) => ctx.log('warn', `probe link lost: ${err.message}`));
  link.on('restoreFailed', (err) => ctx.log('error', `probe refused the restored settings: ${err.message}`));

  const configureMessage = (): Configure => ({
    preset: settings.preset,
    depthM: settings.depthMm / 1000,
    gainDb: settings.gainDb,
    mode: settings.mode,
    frameRateHz: settings.frameRateHz,
    transmits: settings.transmits,
  });

  const forward = async (m: LinkMessage, completeMs: number): Promise<void> => {
    if (!identify) return;
    const base: Omit<FrameHeader, 'arrays' | 'kind'> = {
      seq: seq++,
      probeId: identify.serial,
      frameIndex: 0,
      deviceTimestampUs: Number(m.header.timestampUs),
      frameCompleteMs: completeMs,
      depthM: settings.depthMm / 1000,
      trace: [],
    };
    if (m.message.type === MessageType.FRAME_RF) {
      const f: FrameRf = m.message.body;
      const header = { ...base, kind: 'rf' as const, frameIndex: f.frameIndex };
      header.rf = {
        soundSpeedMps: f.soundSpeedMps,
        samplingRateHz: f.samplingRateHz,
        centerFrequencyHz: f.centerFrequencyHz,
        t0S: f.t0S,
        gainDb: f.gainDb,
        transmits: f.transmits,
        transducer: identify.geometry,
      } as FrameHeader['rf'];
      stamp(header as FrameHeader, ctx.name, completeMs);
      ctx.framesIn++;
      await ctx.emit('rf', encodeFrame('rf', header, [
        { name: 'transmitDelaysS', data: f.transmitDelaysS, shape: [f.transmitCount, f.elementCount] },
        { name: 'samples', data: f.samples, shape: [f.transmitCount, f.elementCount, f.sampleCount] },
      ]));
    } else if (m.message.type === MessageType.FRAME_BMODE) {
      const f: FrameBmode = m.message.body;
      const header = { ...base, kind: 'bmode' as const, frameIndex: f.frameIndex, imageGeometry: f.geometry, dynamicRangeDb: f.dynamicRangeDb };
      stamp(header as FrameHeader, ctx.name, completeMs);
      ctx.framesIn++;
      await ctx.emit('bmode', encodeFrame('bmode', header, [{ name: 'pixels', data: f.pixels, shape: [f.height, f.width] }]));
    }
  };

  return {
    async run() {
      const messages = link.messages({ maxQueued: 2 });
      const connecting = (async () => {
        identify = await link.connect();
        probe.model = identify.model;
        probe.serial = identify.serial;
        probe.firmwareVersion = identify.firmwareVersion;
        ctx.log('info', `probe ${identify.model} ${identify.serial} (firmware ${identify.firmwareVersion}, protocol v${identify.selectedVersion})`);
        await link.configure(configureMessage());
        if (settings.frozen) await link.freeze(true);
        await link.start();
      })();
      connecting.catch((err: Error) => {
        if (!stopped) ctx.fail(err);
      });
      for await (const m of messages) {
        const completeMs = nowMs();
        const t0 = performance.now();
        try {
          await forward(m, completeMs);
        } catch (err) {
          ctx.fail(err as Error, seq);
        }
        ctx.processing.add(performance.now() - t0);
      }
    },

    async onControl(control: StageControl) {
      if (link.state !== 'ready' && link.state !== 'streaming') {
        // Not connected: the setting is kept (in the spec) and applied on connect.
        applyToSettings(settings, control);
        return;
      }
      if (control.type === 'freeze') {
        await link.freeze(control.frozen);
        settings.frozen = control.frozen;
      } else if (control.type === 'configure') {
        const next = { ...settings };
        applyToSettings(next, control);
        const previous = { ...settings };
        Object.assign(settings, next);
        try {
          await link.configure(configureMessage());
        } catch (err) {
          Object.assign(settings, previous);
          throw err;
        }
      }
    },

    async stop() {
      stopped = true;
      clearInterval(statsTimer);
      await link.close();
    },
  };
}

function applyToSettings(settings: AcquireSettings, control: StageControl): void {
  if (control.type === 'freeze') settings.frozen = control.frozen;
  else if (control.type === 'configure') {
    if (control.depthMm !== undefined) settings.depthMm = control.depthMm;
    if (control.gainDb !== undefined) settings.gainDb = control.gainDb;
    if (control.mode !== undefined) settings.mode = control.mode;
    if (control.frameRateHz !== undefined) settings.frameRateHz = control.frameRateHz;
  }
}
