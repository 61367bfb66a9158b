/**
 * A scripted probe that speaks protocol v1 over any byte pipe: it decodes what the host sends,
 * answers per its script, and streams STATUS and small RF frames. `FakeProbeServer` puts one
 * behind a real Unix-domain socket, one per accepted connection.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FrameDecoder } from '../../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../../drivers/protocol/encoder.js';
import { type Identify, type ProbeMessage, MessageType, NackCode } from '../../../drivers/protocol/messages.js';
import { smallFrameRf } from '../protocol/fixtures.js';

export type Answer = 'ack' | 'silent' | { nack: number; reason: string };

export interface ProbeScript {
  /** Versions the probe speaks. Default 1..1. */
  versions?: { min: number; max: number };
  /** How to answer IDENTIFY_REQUEST. Default: IDENTIFY with the negotiated version. */
  identifyRequest?: 'identify' | 'nack' | 'silent';
  /** How to answer CONFIGURE/START/STOP/FREEZE. Default: ack. */
  answer?: (msg: ProbeMessage) => Answer;
  /** STATUS period; null: never. Default 100 ms. */
  statusIntervalMs?: number | null;
  /** RF frame period while streaming and not frozen. Default 50 ms. */
  frameIntervalMs?: number;
}

export const PROBE_IDENTITY: Omit<Identify, 'probeMinVersion' | 'probeMaxVersion' | 'selectedVersion'> = {
  model: 'C5-2v',
  serial: 'SIM-0042',
  firmwareVersion: '0.9.0',
  geometry: { kind: 'convex', elementCount: 4, pitchM: 0.0005, radiusM: 0.05, centerFrequencyHz: 3.5e6, samplingRateHz: 20e6, fractionalBandwidth: 0.75 },
};

export class ScriptedProbe {
  readonly received: ProbeMessage[] = [];
  streaming = false;
  frozen = false;
  #decoder = new FrameDecoder({ parse: true, versions: [1, 2, 3] });
  #encoder = new ProtocolEncoder();
  #timers: NodeJS.Timeout[] = [];
  #frameIndex = 0;

  constructor(
    private readonly script: ProbeScript,
    private readonly send: (bytes: Buffer) => void,
  ) {
    const statusMs = script.statusIntervalMs === undefined ? 100 : script.statusIntervalMs;
    if (statusMs !== null) {
      this.#timers.push(
        setInterval(() => this.#emit({ type: MessageType.STATUS, body: { temperatureC: 31, supplyVoltageV: 5, errorFlags: this.frozen ? 16 : 0, batteryPercent: -1 } }), statusMs),
      );
    }
    this.#timers.push(
      setInterval(() => {
        if (this.streaming && !this.frozen) this.#emit({ type: MessageType.FRAME_RF, body: smallFrameRf(this.#frameIndex++) });
      }, script.frameIntervalMs ?? 50),
    );
  }

  push(chunk: Buffer): void {
    for (const frame of this.#decoder.push(chunk)) {
      const msg = frame.message;
      if (!msg) continue;
      this.received.push(msg);
      this.#handle(msg, frame.header.seq);
    }
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }

  #handle(msg: ProbeMessage, seq: number): void {
    if (msg.type === MessageType.IDENTIFY_REQUEST) {
      const v = this.script.versions ?? { min: 1, max: 1 };
      const selected = Math.min(v.max, msg.body.hostMaxVersion);
      const common = selected >= Math.max(v.min, msg.body.hostMinVersion) ? selected : 0;
      const mode = this.script.identifyRequest ?? 'identify';
      if (mode === 'silent') return;
      if (mode === 'nack') {
        this.#emit({ type: MessageType.NACK, body: { requestSeq: seq, requestType: msg.type, code: NackCode.UNSUPPORTED_VERSION, reason: `probe speaks v${v.min}-v${v.max}` } });
        return;
      }
      this.#emit({ type: MessageType.IDENTIFY, body: { ...PROBE_IDENTITY, probeMinVersion: v.min, probeMaxVersion: v.max, selectedVersion: common } });
      if (common) this.#encoder.setVersion(common);
      return;
    }
    if (msg.type !== MessageType.CONFIGURE && msg.type !== MessageType.START && msg.type !== MessageType.STOP && msg.type !== MessageType.FREEZE) return;
    const answer = this.script.answer?.(msg) ?? 'ack';
    if (answer === 'silent') return;
    if (answer !== 'ack') {
      this.#emit({ type: MessageType.NACK, body: { requestSeq: seq, requestType: msg.type, code: answer.nack, reason: answer.reason } });
      return;
    }
    if (msg.type === MessageType.START) this.streaming = true;
    if (msg.type === MessageType.STOP) this.streaming = false;
    if (msg.type === MessageType.FREEZE) this.frozen = msg.body.frozen;
    this.#emit({ type: MessageType.ACK, body: { requestSeq: seq, requestType: msg.type } });
  }

  #emit(msg: ProbeMessage): void {
    this.send(this.#encoder.encode(msg).bytes);
  }
}

/** A scripted probe per connection, behind a real Unix-domain socket. */
export class FakeProbeServer {
  readonly probes: ScriptedProbe[] = [];
  readonly #sockets = new Set<net.Socket>();
  readonly #server: net.Server;
  readonly #dir: string;
  readonly address: string;
  script: ProbeScript;

  private constructor(script: ProbeScript) {
    this.script = script;
    this.#dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-probe-'));
    this.address = `unix:${path.join(this.#dir, 'probe.sock')}`;
    this.#server = net.createServer((socket) => {
      this.#sockets.add(socket);
      const probe = new ScriptedProbe(this.script, (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      });
      this.probes.push(probe);
      socket.on('data', (chunk) => probe.push(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        probe.stop();
        this.#sockets.delete(socket);
      });
    });
  }

  static async start(script: ProbeScript = {}): Promise<FakeProbeServer> {
    const s = new FakeProbeServer(script);
    await new Promise<void>((resolve) => s.#server.listen(s.address.slice('unix:'.length), resolve));
    return s;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /** The probe side hangs up every connection (like a crashed simulator or a pulled cable). */
  dropAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    for (const p of this.probes) p.stop();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
