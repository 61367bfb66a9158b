/**
 * The probe side of protocol v1, as firmware would run it: answers IDENTIFY_REQUEST (with
 * version negotiation), CONFIGURE, START, STOP, FREEZE; streams frames from a FrameSource at the
 * configured rate; sends STATUS at 1 Hz. It serves one host connection at a time over any byte
 * stream (a pty or a socket), so the host cannot tell it from hardware.
 *
 * Like a real probe on a slow link it never queues frames without bound: while the link has
 * not drained the previous frame, new frames are dropped and the STATUS frame-overrun flag set.
 */
import { SimBootloader } from '../firmware/sim-bootloader.js';
import type { SimFlash } from '../firmware/sim-flash.js';
import { FrameDecoder, type RawFrame } from '../protocol/decoder.js';
import { ProtocolEncoder } from '../protocol/encoder.js';
import { TRUTH_MESSAGE_TYPE } from './truth-message.js';
import { ACK_REQUESTED, SUPPORTED_VERSIONS } from '../protocol/header.js';
import {
  BOOTLOADER_RANGE,
  MessageType,
  NackCode,
  StatusFlag,
  type Configure,
  type FrameBmode,
  type FrameRf,
  type Identify,
  type ProbeMessage,
} from '../protocol/messages.js';

/** A frame from a source, with its ground truth (sent after it as vendor message 0xE0) when it has one. */
export type SourceFrame = ({ type: 'rf'; body: FrameRf } | { type: 'bmode'; body: FrameBmode }) & { truth?: Uint8Array };

/** Where a simulated probe's frames come from (the physics model, a cached loop, a recording). */
export interface FrameSource {
  readonly identity: Omit<Identify, 'probeMinVersion' | 'probeMaxVersion' | 'selectedVersion'>;
  /** A reason to refuse the configuration (NACK OUT_OF_RANGE), or null. */
  check(config: Configure): string | null;
  configure(config: Configure): void;
  /** The frame at scene time `timeS`, or null when none is ready yet (nothing is sent this tick). */
  frame(timeS: number, frameIndex: number): SourceFrame | null;
  /** Releases what the source holds (workers, files). */
  close?(): void;
}

/** The byte stream to one host: a socket, a serial port on a pty. */
export interface HostConnection {
  write(bytes: Buffer): boolean;
  /** Drops the link (a socket): what a probe's reset looks like to the host. */
  destroy?(): unknown;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface SimulatedProbeOptions {
  /** Versions this probe speaks. Default: the host's SUPPORTED_VERSIONS. */
  versions?: readonly number[];
  statusIntervalMs?: number;
  log?: (line: string) => void;
  /** Scene clock; default wall clock, so motion runs in real time. */
  clockS?: () => number;
  /** The probe's firmware flash: with it the probe answers the bootloader messages. */
  flash?: SimFlash;
}

export class SimulatedProbe {
  private readonly encoder = new ProtocolEncoder();
  private readonly versions: readonly number[];
  private conn: HostConnection | null = null;
  private config: Configure | null = null;
  private streaming = false;
  private frozen = false;
  private frameIndex = 0;
  private frameTimer: NodeJS.Timeout | null = null;
  private statusTimer: NodeJS.Timeout | null = null;
  private waitingForDrain = false;
  private overrunFlagUntilMs = 0;
  readonly counters = { framesSent: 0, framesDropped: 0, requests: 0, nacks: 0 };
  private readonly clockS: () => number;
  private readonly startS: number;

  private readonly bootloader: SimBootloader | null;

  constructor(private readonly source: FrameSource, private readonly opts: SimulatedProbeOptions = {}) {
    this.versions = opts.versions ?? SUPPORTED_VERSIONS;
    this.bootloader = opts.flash ? new SimBootloader(opts.flash) : null;
    this.clockS = opts.clockS ?? (() => performance.now() / 1000);
    this.startS = this.clockS();
  }

  /** Serves a host connection; a new one replaces the old, as when a cable is re-plugged. */
  serve(conn: HostConnection): void {
    this.detach();
    this.conn = conn;
    this.streaming = false;
    this.frozen = false;
    this.waitingForDrain = false;
    this.encoder.setVersion(1);
    const decoder = new FrameDecoder({ parse: true, onBadPayload: (bad, h) => this.nack(h.seq, h.type, NackCode.BAD_PAYLOAD, bad.reason) });
    conn.on('data', (chunk) => {
      if (this.conn !== conn) return;
      for (const raw of decoder.push(chunk)) {
        if (raw.message) this.handle(raw.message, raw.header.seq, raw.header.flags);
        else if (this.bootloader && raw.header.type >= BOOTLOADER_RANGE.first && raw.header.type <= BOOTLOADER_RANGE.last) this.bootloaderFrame(raw, conn);
        else this.nack(raw.header.seq, raw.header.type, NackCode.UNKNOWN_TYPE, `message type 0x${raw.header.type.toString(16)} is not supported`);
      }
    });
    conn.on('drain', () => {
      if (this.conn === conn) this.waitingForDrain = false;
    });
    const gone = () => {
      if (this.conn === conn) this.detach();
    };
    conn.on('close', gone);
    conn.on('error', gone);
    this.statusTimer = setInterval(() => this.sendStatus(), this.opts.statusIntervalMs ?? 1000);
  }

  private bootloaderFrame(raw: RawFrame, conn: HostConnection): void {
    // In the bootloader the probe does not stream.
    this.streaming = false;
    this.bootloader!.handle(raw, {
      ack: (requestSeq, requestType) => this.ack(requestSeq, requestType),
      nack: (requestSeq, requestType, code, reason) => this.nack(requestSeq, requestType, code, reason),
      raw: (type, payload) => this.conn?.write(this.encoder.encodeRaw(type, payload).bytes),
      reset: () => {
        // The bootloader decides what runs now, before a host can reconnect and ask; then the
        // link drops (once the ACK is out), as a USB probe re-enumerates.
        this.opts.flash!.boot();
        this.opts.log?.(`bootloader reset: booted firmware ${this.opts.flash!.runningVersion()}`);
        setTimeout(() => {
          if (this.conn === conn) this.detach();
          conn.destroy?.();
        }, 20);
      },
    });
  }

  private detach(): void {
    if (this.frameTimer) clearTimeout(this.frameTimer);
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.frameTimer = this.statusTimer = null;
    this.conn = null;
    this.streaming = false;
  }

  close(): void {
    this.detach();
    this.source.close?.();
  }

  private handle(msg: ProbeMessage, seq: number, flags: number): void {
    this.counters.requests++;
    switch (msg.type) {
      case MessageType.IDENTIFY_REQUEST: {
        const { hostMinVersion, hostMaxVersion } = msg.body;
        const common = this.versions.filter((v) => v >= hostMinVersion && v <= hostMaxVersion);
        if (common.length === 0) {
          this.nack(seq, msg.type, NackCode.UNSUPPORTED_VERSION, `probe speaks protocol ${Math.min(...this.versions)}..${Math.max(...this.versions)}, host offered ${hostMinVersion}..${hostMaxVersion}`);
          return;
        }
        const selected = Math.max(...common);
        this.send({
          type: MessageType.IDENTIFY,
          body: {
            probeMinVersion: Math.min(...this.versions),
            probeMaxVersion: Math.max(...this.versions),
            selectedVersion: selected,
            ...this.source.identity,
            ...(this.opts.flash ? { firmwareVersion: this.opts.flash.runningVersion() } : {}),
          },
        });
        this.encoder.setVersion(selected);
        return;
      }
      case MessageType.CONFIGURE: {
        const reason = this.source.check(msg.body);
        if (reason) return this.nack(seq, msg.type, NackCode.OUT_OF_RANGE, reason);
        this.config = msg.body;
        this.source.configure(msg.body);
        this.opts.log?.(`configured: ${msg.body.mode}, depth ${(msg.body.depthM * 1000).toFixed(0)} mm, gain ${msg.body.gainDb} dB, ${msg.body.frameRateHz} Hz, ${msg.body.transmits.parameters.length} ${msg.body.transmits.kind} waves`);
        this.ack(seq, msg.type);
        if (this.streaming) this.schedule(0);
        return;
      }
      case MessageType.START:
        if (!this.config) return this.nack(seq, msg.type, NackCode.BUSY, 'send CONFIGURE before START');
        this.ack(seq, msg.type);
        if (!this.streaming) {
          this.streaming = true;
          this.schedule(0);
        }
        return;
      case MessageType.STOP:
        this.streaming = false;
        if (this.frameTimer) clearTimeout(this.frameTimer);
        this.frameTimer = null;
        this.ack(seq, msg.type);
        return;
      case MessageType.FREEZE:
        this.frozen = msg.body.frozen;
        this.ack(seq, msg.type);
        if (!this.frozen && this.streaming) this.schedule(0);
        return;
      case MessageType.ACK:
      case MessageType.NACK:
        return;
      default:
        if (flags & ACK_REQUESTED) this.nack(seq, msg.type, NackCode.UNKNOWN_TYPE, `a probe does not accept ${msg.type}`);
    }
  }

  /** When the next frame is due (performance clock, ms); frames keep to this timeline. */
  private nextDueMs = 0;

  private schedule(delayMs: number): void {
    if (delayMs === 0) this.nextDueMs = performance.now();
    if (this.frameTimer) clearTimeout(this.frameTimer);
    this.frameTimer = setTimeout(() => this.tick(), delayMs);
  }

  private tick(): void {
    this.frameTimer = null;
    if (!this.conn || !this.streaming || this.frozen || !this.config) return;
    const periodMs = 1000 / this.config.frameRateHz;
    if (this.waitingForDrain) {
      // The host is not keeping up: drop this frame, as probe firmware would.
      this.counters.framesDropped++;
      this.overrunFlagUntilMs = Date.now() + 2000;
    } else {
      const f = this.source.frame(this.clockS() - this.startS, this.frameIndex);
      if (f) {
        this.frameIndex++;
        const msg: ProbeMessage = f.type === 'rf' ? { type: MessageType.FRAME_RF, body: f.body } : { type: MessageType.FRAME_BMODE, body: f.body };
        let drained = this.send(msg);
        // The frame's ground truth right after it (docs/probe-protocol.md, vendor debug 0xE0).
        if (f.truth && this.conn) drained = this.conn.write(this.encoder.encodeRaw(TRUTH_MESSAGE_TYPE, f.truth).bytes) && drained;
        if (!drained) this.waitingForDrain = true;
        this.counters.framesSent++;
      }
    }
    // Keep to a fixed timeline (t0 + k·period) so timer lateness does not lower the average
    // rate; after a stall longer than a period, start the timeline again rather than burst.
    this.nextDueMs += periodMs;
    const now = performance.now();
    if (this.nextDueMs < now - periodMs) this.nextDueMs = now;
    this.frameTimer = setTimeout(() => this.tick(), Math.max(0, this.nextDueMs - now));
  }

  private sendStatus(): void {
    let flags = 0;
    if (this.frozen) flags |= StatusFlag.FROZEN;
    if (Date.now() < this.overrunFlagUntilMs) flags |= StatusFlag.FRAME_OVERRUN;
    const t = this.clockS() - this.startS;
    this.send({
      type: MessageType.STATUS,
      // A probe warms up slowly towards ~38 °C while it transmits; no battery (USB powered).
      body: { temperatureC: 30 + 8 * (1 - Math.exp(-t / 600)), supplyVoltageV: 5.0, errorFlags: flags, batteryPercent: -1 },
    });
  }

  private ack(requestSeq: number, requestType: number): void {
    this.send({ type: MessageType.ACK, body: { requestSeq, requestType } });
  }

  private nack(requestSeq: number, requestType: number, code: number, reason: string): void {
    this.counters.nacks++;
    this.opts.log?.(`NACK ${code}: ${reason}`);
    this.send({ type: MessageType.NACK, body: { requestSeq, requestType, code, reason: reason.slice(0, 255) } });
  }

  private send(msg: ProbeMessage): boolean {
    if (!this.conn) return false;
    return this.conn.write(this.encoder.encode(msg).bytes);
  }
}
