/**
 * The probe manager: owns one transport to one probe and keeps a working protocol session on
 * it. It opens the link, negotiates the protocol version (IDENTIFY_REQUEST → IDENTIFY), turns
 * CONFIGURE/START/STOP/FREEZE into promises that settle on ACK/NACK or a timeout, delivers
 * frames, STATUS and ERROR, and — when the link is lost (unplug, transport error, 2 s of
 * silence) — reconnects with back-off, re-identifies, re-applies the last configuration and the
 * freeze/streaming state.
 *
 * @example
 *   const link = new ProbeLink({ transport: { kind: 'socket', address: 'unix:/run/pleura/probe.sock' } });
 *   link.on('state', (s) => log.info(`probe ${s}`));
 *   const id = await link.connect();           // retries until a probe answers (see connect())
 *   await link.configure(preset);              // rejects with ProbeNackError / ProbeRequestTimeoutError
 *   await link.start();
 *   for await (const { message } of link.messages()) if (message.type === MessageType.FRAME_RF) acquire(message.body);
 *   await link.close();
 *
 * States: disconnected → connecting (transport opening) → identifying (handshake, then restoring
 * configuration) → ready ⇄ streaming; incompatible when the probe shares no protocol version
 * (no retries until the transport reports a newly attached device, or connect() is called).
 */
import { EventEmitter } from 'node:events';
import { type DecoderStats, FrameDecoder, type RawFrame, addDecoderStats, emptyDecoderStats } from '../protocol/decoder.js';
import { ProtocolEncoder } from '../protocol/encoder.js';
import { ACK_REQUESTED, BASE_VERSION, type FrameHeader, SUPPORTED_VERSIONS } from '../protocol/header.js';
import {
  type Configure,
  type Identify,
  type ProbeError,
  type ProbeMessage,
  type Status,
  MessageType,
  NackCode,
  messageTypeName,
} from '../protocol/messages.js';
import type { BadPayload } from '../protocol/payloads.js';
import { createTransport } from '../transports/open-transport.js';
import type { ProbeTransport, TransportSpec } from '../transports/transport.js';
import { Backoff } from './backoff.js';
import {
  ProbeIncompatibleError,
  ProbeLinkClosedError,
  ProbeLinkError,
  ProbeLinkLostError,
  ProbeNackError,
  ProbeNotReadyError,
  type VersionRange,
} from './errors.js';
import { MessageQueue } from './message-queue.js';
import { PendingRequests, type RequestAnswer } from './pending-requests.js';

export type ProbeLinkState = 'disconnected' | 'connecting' | 'identifying' | 'ready' | 'streaming' | 'incompatible';

type Codes = typeof MessageType;
export type ProbeFrameMessage = Extract<ProbeMessage, { type: Codes['FRAME_RF'] | Codes['FRAME_BMODE'] }>;
/** What the probe streams: frames, STATUS and ERROR. */
export type ProbeStreamMessage = Extract<ProbeMessage, { type: Codes['FRAME_RF'] | Codes['FRAME_BMODE'] | Codes['STATUS'] | Codes['ERROR'] }>;
export interface ProbeFrame {
  header: FrameHeader;
  message: ProbeFrameMessage;
}
export interface LinkMessage {
  header: FrameHeader;
  message: ProbeStreamMessage;
}

export interface ProbeLinkEvents {
  state: [state: ProbeLinkState, previous: ProbeLinkState];
  frame: [frame: ProbeFrame];
  status: [status: Status, header: FrameHeader];
  probeError: [error: ProbeError, header: FrameHeader];
  /** An established session ended; a reconnect follows unless `reconnect: false`. */
  linkLost: [error: Error];
  /** A session is established again after a loss (configuration and streaming restored). */
  reconnected: [identify: Identify];
  /** A connection attempt failed; `retryInMs` null when no retry is scheduled. */
  attemptFailed: [error: Error, retryInMs: number | null];
  /** After a reconnect the probe refused part of the restored state (which is then forgotten). */
  restoreFailed: [error: ProbeNackError];
}

export interface ProbeLinkOptions {
  /** A transport spec (the link creates and owns the transport) or a transport (the link takes ownership). */
  transport: TransportSpec | ProbeTransport;
  /** Versions offered in IDENTIFY_REQUEST. Default: SUPPORTED_VERSIONS. */
  hostVersions?: VersionRange;
  /** ACK/NACK timeout for CONFIGURE/START/STOP/FREEZE. Default 1000 ms. */
  requestTimeoutMs?: number;
  /** IDENTIFY timeout. Default 2000 ms. */
  handshakeTimeoutMs?: number;
  /**
   * Silence after which the link counts as lost. Default 2000 ms (the spec's 2 s). Counted on
   * bytes, not whole frames: a multi-MB frame on a slow serial link can take longer than 2 s.
   */
  linkLostAfterMs?: number;
  /** Reconnect back-off. Default 250 ms doubling to 2000 ms. */
  reconnectDelayMs?: { initial: number; max: number };
  /** Reconnect after failures and losses. Default true. */
  reconnect?: boolean;
  /** Payload limit for this link's decoder (≤ 16 MiB). Default 16 MiB. */
  maxPayloadBytes?: number;
}

export interface ProbeLinkStats {
  state: ProbeLinkState;
  transport: string;
  /** Decoder counters summed over every connection of this link. */
  decoder: DecoderStats;
  /** Successful handshakes. */
  connects: number;
  linkLosses: number;
  requestTimeouts: number;
  nacks: number;
  /** Messages dropped because a messages() consumer fell behind. */
  droppedMessages: number;
  lastError: string | null;
}

interface Session {
  decoder: FrameDecoder;
  lastRxMs: number;
  watchdog: NodeJS.Timeout;
  ended: boolean;
  /** Resolves, with the reason, once the session is over and its transport closed. */
  over: Promise<Error>;
  finish: (reason: Error) => void;
  closing: Promise<void> | null;
  detach: () => void;
}

const isTransport = (t: TransportSpec | ProbeTransport): t is ProbeTransport => typeof (t as ProbeTransport).open === 'function';
const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

export class ProbeLink extends EventEmitter<ProbeLinkEvents> {
  readonly #transport: ProbeTransport;
  readonly #hostVersions: VersionRange;
  readonly #requestTimeoutMs: number;
  readonly #handshakeTimeoutMs: number;
  readonly #linkLostAfterMs: number;
  readonly #reconnect: boolean;
  readonly #maxPayloadBytes: number | undefined;
  readonly #backoff: Backoff;
  readonly #encoder = new ProtocolEncoder();
  readonly #pending = new PendingRequests();
  readonly #subscribers = new Set<MessageQueue<LinkMessage>>();
  readonly #decoderTotals = emptyDecoderStats();
  readonly #counters = { connects: 0, linkLosses: 0, requestTimeouts: 0, nacks: 0, droppedMessages: 0 };
  #lastError: string | null = null;
  #state: ProbeLinkState = 'disconnected';
  #session: Session | null = null;
  #identify: Identify | null = null;
  /** What to restore after a reconnect: the last ACKed configuration, freeze and streaming. */
  #lastConfig: Configure | null = null;
  #frozen = false;
  #streaming = false;
  #closed = false;
  #closing: Promise<void> | null = null;
  #supervisor: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #readyWaiters: { resolve: (id: Identify) => void; reject: (err: Error) => void }[] = [];

  constructor(options: ProbeLinkOptions) {
    super();
    this.#transport = isTransport(options.transport) ? options.transport : createTransport(options.transport);
    this.#hostVersions = options.hostVersions ?? { min: Math.min(...SUPPORTED_VERSIONS), max: Math.max(...SUPPORTED_VERSIONS) };
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 1000;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 2000;
    this.#linkLostAfterMs = options.linkLostAfterMs ?? 2000;
    this.#reconnect = options.reconnect ?? true;
    this.#maxPayloadBytes = options.maxPayloadBytes;
    this.#backoff = new Backoff(options.reconnectDelayMs?.initial ?? 250, options.reconnectDelayMs?.max ?? 2000);
    this.#pending.onTimeout = () => void this.#counters.requestTimeouts++;
    // For the link's whole life: a transport 'error' nobody listens to would be thrown.
    this.#transport.on('error', this.#onTransportError);
    this.#transport.on('attach', this.#onAttach);
  }

  get state(): ProbeLinkState {
    return this.#state;
  }

  /** The probe's last IDENTIFY (model, serial, firmware, geometry, versions); null before the first handshake. */
  get identify(): Identify | null {
    return this.#identify;
  }

  /** For /api/status. */
  get stats(): ProbeLinkStats {
    const decoder = addDecoderStats(emptyDecoderStats(), this.#decoderTotals);
    if (this.#session) addDecoderStats(decoder, this.#session.decoder.stats);
    let droppedMessages = this.#counters.droppedMessages;
    for (const q of this.#subscribers) droppedMessages += q.dropped;
    return { state: this.#state, transport: this.#transport.describe(), decoder, ...this.#counters, droppedMessages, lastError: this.#lastError };
  }

  /**
   * Starts the link if needed and resolves with the probe's IDENTIFY once it is ready. Transient
   * failures (no device yet, handshake timeout) are retried with back-off and reported as
   * 'attemptFailed' events, so this waits until a probe answers; it rejects with
   * ProbeIncompatibleError, with ProbeLinkClosedError on close(), or — with `reconnect: false` —
   * with the first failure.
   */
  connect(): Promise<Identify> {
    if (this.#closed) return Promise.reject(new ProbeLinkClosedError('connect'));
    if ((this.#state === 'ready' || this.#state === 'streaming') && this.#identify) return Promise.resolve(this.#identify);
    const ready = new Promise<Identify>((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
    if (this.#supervisor === null) this.#supervisor = this.#supervise().finally(() => (this.#supervisor = null));
    else if (this.#state === 'incompatible') this.#wake?.(); // asked again: try again
    return ready;
  }

  /** Sends CONFIGURE; resolves on ACK. The configuration is re-applied after every reconnect. */
  async configure(config: Configure): Promise<void> {
    this.#requireReady('configure the probe');
    await this.#request({ type: MessageType.CONFIGURE, body: config });
    this.#lastConfig = { ...config, transmits: { kind: config.transmits.kind, parameters: [...config.transmits.parameters] } };
  }

  async start(): Promise<void> {
    this.#requireReady('start streaming');
    await this.#request({ type: MessageType.START, body: null });
    this.#streaming = true;
    if (this.#state === 'ready') this.#setState('streaming');
  }

  async stop(): Promise<void> {
    this.#requireReady('stop streaming');
    await this.#request({ type: MessageType.STOP, body: null });
    this.#streaming = false;
    if (this.#state === 'streaming') this.#setState('ready');
  }

  /** Freeze (probe stops sending frames, keeps STATUS) or unfreeze. */
  async freeze(frozen: boolean): Promise<void> {
    this.#requireReady(frozen ? 'freeze' : 'unfreeze');
    await this.#request({ type: MessageType.FREEZE, body: { frozen } });
    this.#frozen = frozen;
  }

  /**
   * Frames, STATUS and ERROR as an async iterator (one consumer per call). If the consumer falls
   * behind by more than `maxQueued` messages the oldest are dropped and counted
   * (stats.droppedMessages). Ends when the link is closed; `break` unsubscribes.
   */
  messages(options: { maxQueued?: number } = {}): AsyncIterableIterator<LinkMessage> {
    const queue: MessageQueue<LinkMessage> = new MessageQueue<LinkMessage>(options.maxQueued ?? 8, () => {
      this.#subscribers.delete(queue);
      this.#counters.droppedMessages += queue.dropped;
    });
    if (this.#closed) queue.end();
    else this.#subscribers.add(queue);
    return queue;
  }

  /** Stops everything: session, reconnects, timers, iterators, and closes the transport. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    const closed = new ProbeLinkClosedError('use the probe');
    if (this.#session) await this.#endSession(this.#session, closed);
    this.#pending.rejectAll(closed);
    this.#settleWaiters(closed);
    for (const q of [...this.#subscribers]) q.end();
    await this.#supervisor;
    await this.#transport.close();
    this.#transport.off('error', this.#onTransportError);
    this.#transport.off('attach', this.#onAttach);
    this.#setState('disconnected');
  }

  // ---- supervision ---------------------------------------------------------------------------

  /** The one loop that connects, waits for the session to end, and reconnects. */
  async #supervise(): Promise<void> {
    let connectedBefore = false;
    while (!this.#closed) {
      let session: Session;
      try {
        session = await this.#connectOnce();
      } catch (err) {
        if (this.#closed) break;
        const error = asError(err);
        this.#lastError = error.message;
        if (error instanceof ProbeIncompatibleError) {
          this.#setState('incompatible');
          this.#settleWaiters(error);
          this.emit('attemptFailed', error, null);
          await this.#sleep(null); // until a device is attached, connect() is called, or close()
          continue;
        }
        if (!this.#reconnect) {
          this.#setState('disconnected');
          this.#settleWaiters(error);
          this.emit('attemptFailed', error, null);
          return;
        }
        const delayMs = this.#backoff.next();
        this.#setState('disconnected');
        this.emit('attemptFailed', error, delayMs);
        await this.#sleep(delayMs);
        continue;
      }
      this.#backoff.reset();
      this.#counters.connects++;
      this.#settleWaiters(null);
      if (connectedBefore) this.emit('reconnected', this.#identify!);
      connectedBefore = true;

      const reason = await session.over;
      if (this.#closed) break;
      this.#counters.linkLosses++;
      this.#lastError = reason.message;
      this.#setState('disconnected');
      this.emit('linkLost', reason);
      if (!this.#reconnect) return;
      await this.#sleep(this.#backoff.next());
    }
  }

  async #connectOnce(): Promise<Session> {
    this.#setState('connecting');
    await this.#transport.open();
    if (this.#closed) {
      await this.#transport.close();
      throw new ProbeLinkClosedError('connect');
    }
    const session = this.#beginSession();
    try {
      this.#setState('identifying');
      this.#identify = await this.#handshake();
      await this.#restore();
      this.#setState(this.#streaming ? 'streaming' : 'ready');
      return session;
    } catch (err) {
      await this.#endSession(session, asError(err));
      throw err;
    }
  }

  async #handshake(): Promise<Identify> {
    const host = this.#hostVersions;
    this.#encoder.setVersion(BASE_VERSION); // every probe accepts IDENTIFY_REQUEST as v1
    let answer: RequestAnswer;
    try {
      answer = await this.#request(
        { type: MessageType.IDENTIFY_REQUEST, body: { hostMinVersion: host.min, hostMaxVersion: host.max } },
        this.#handshakeTimeoutMs,
      );
    } catch (err) {
      if (err instanceof ProbeNackError && err.code === NackCode.UNSUPPORTED_VERSION) {
        throw new ProbeIncompatibleError(host, null, `it answered NACK UNSUPPORTED_VERSION${err.reason ? `: ${err.reason}` : ''}`);
      }
      throw err;
    }
    if (answer.kind !== 'identify') {
      throw new ProbeLinkError('the probe answered IDENTIFY_REQUEST with ACK instead of IDENTIFY; its firmware does not follow protocol v1 — update it');
    }
    const id = answer.identify;
    const probe = { min: id.probeMinVersion, max: id.probeMaxVersion };
    if (id.selectedVersion === 0) throw new ProbeIncompatibleError(host, probe, 'the probe selected no common version');
    if (id.selectedVersion < host.min || id.selectedVersion > host.max) {
      throw new ProbeIncompatibleError(host, probe, `the probe selected v${id.selectedVersion}, which this host does not speak`);
    }
    this.#encoder.setVersion(id.selectedVersion);
    return id;
  }

  /** Re-applies configuration, freeze and streaming after a (re)connect, in that order. */
  async #restore(): Promise<void> {
    const steps: { message: ProbeMessage; forget: () => void }[] = [];
    if (this.#lastConfig) steps.push({ message: { type: MessageType.CONFIGURE, body: this.#lastConfig }, forget: () => (this.#lastConfig = null) });
    // Freeze before START so a frozen display does not receive a burst of live frames.
    if (this.#frozen) steps.push({ message: { type: MessageType.FREEZE, body: { frozen: true } }, forget: () => (this.#frozen = false) });
    if (this.#streaming) steps.push({ message: { type: MessageType.START, body: null }, forget: () => (this.#streaming = false) });
    for (const step of steps) {
      try {
        await this.#request(step.message);
      } catch (err) {
        // A NACK will not change on retry (e.g. a different probe model was plugged in): drop that state.
        if (!(err instanceof ProbeNackError)) throw err;
        step.forget();
        this.emit('restoreFailed', err);
      }
    }
  }

  // ---- sessions ------------------------------------------------------------------------------

  #beginSession(): Session {
    const decoder = new FrameDecoder({
      parse: true,
      ...(this.#maxPayloadBytes !== undefined && { maxPayloadBytes: this.#maxPayloadBytes }),
      onBadPayload: (bad, header) => this.#onBadPayload(bad, header),
    });
    let finish!: (reason: Error) => void;
    const over = new Promise<Error>((resolve) => (finish = resolve));
    const onData = (chunk: Buffer): void => {
      session.lastRxMs = performance.now();
      for (const frame of decoder.push(chunk)) this.#onFrame(frame);
    };
    const onClose = (err: Error | undefined): void => {
      void this.#endSession(session, new ProbeLinkLostError(err?.message ?? 'the transport closed', { cause: err }));
    };
    const checkSilence = (): void => {
      if (performance.now() - session.lastRxMs > this.#linkLostAfterMs) {
        void this.#endSession(session, new ProbeLinkLostError(`no bytes from ${this.#transport.describe()} for ${this.#linkLostAfterMs} ms`));
      }
    };
    const session: Session = {
      decoder,
      lastRxMs: performance.now(),
      watchdog: setInterval(checkSilence, Math.max(10, Math.min(250, this.#linkLostAfterMs / 4))),
      ended: false,
      over,
      finish,
      closing: null,
      detach: () => {
        this.#transport.off('data', onData);
        this.#transport.off('close', onClose);
      },
    };
    this.#transport.on('data', onData);
    this.#transport.on('close', onClose);
    this.#session = session;
    return session;
  }

  /** Ends a session once: stops its timer, fails its requests, closes the transport. */
  async #endSession(session: Session, reason: Error): Promise<void> {
    if (session.ended) return session.closing ?? undefined;
    session.ended = true;
    clearInterval(session.watchdog);
    session.detach();
    session.decoder.end(); // a frame cut off by the loss counts as truncated
    addDecoderStats(this.#decoderTotals, session.decoder.stats);
    if (this.#session === session) this.#session = null;
    this.#pending.rejectAll(reason instanceof ProbeLinkError ? reason : new ProbeLinkLostError(reason.message, { cause: reason }));
    // After a loss the transport has closed itself and keeps watching for its device ('attach');
    // close() would end that watch, so only a transport that is still open is closed here.
    session.closing = this.#transport.isOpen ? this.#transport.close().catch(() => undefined) : Promise.resolve();
    await session.closing;
    session.finish(reason);
  }

  #onFrame(frame: RawFrame): void {
    const { header, message } = frame;
    if (header.flags & ACK_REQUESTED) this.#answer(header, message ? null : NackCode.UNKNOWN_TYPE, 'unknown message type');
    if (!message) return; // unknown types (vendor debug, bootloader): hosts ignore them
    switch (message.type) {
      case MessageType.ACK:
        this.#pending.ack(message.body);
        break;
      case MessageType.NACK:
        this.#pending.nack(message.body);
        break;
      case MessageType.IDENTIFY:
        this.#pending.identify(message.body);
        break;
      case MessageType.STATUS:
        this.emit('status', message.body, header);
        this.#offer({ header, message });
        break;
      case MessageType.ERROR:
        this.emit('probeError', message.body, header);
        this.#offer({ header, message });
        break;
      case MessageType.FRAME_RF:
      case MessageType.FRAME_BMODE:
        this.emit('frame', { header, message });
        this.#offer({ header, message });
        break;
      default:
        break; // host → probe requests mean nothing coming from a probe
    }
  }

  #onBadPayload(bad: BadPayload, header: FrameHeader): void {
    this.#lastError = `dropped ${bad.typeName} seq ${header.seq}: ${bad.reason}`;
    if (header.flags & ACK_REQUESTED) this.#answer(header, NackCode.BAD_PAYLOAD, bad.reason);
  }

  /** Answers a frame that carried ACK_REQUESTED (never an ACK/NACK itself: that would ping-pong). */
  #answer(header: FrameHeader, nackCode: number | null, reason: string): void {
    if (header.type === MessageType.ACK || header.type === MessageType.NACK || !this.#transport.isOpen) return;
    const body = { requestSeq: header.seq, requestType: header.type };
    const { bytes } =
      nackCode === null
        ? this.#encoder.encode({ type: MessageType.ACK, body })
        : this.#encoder.encode({ type: MessageType.NACK, body: { ...body, code: nackCode, reason: reason.slice(0, 200) } });
    this.#transport.write(bytes).catch(() => undefined); // a lost link is noticed by the session, not here
  }

  #offer(item: LinkMessage): void {
    for (const q of this.#subscribers) q.offer(item);
  }

  // ---- requests ------------------------------------------------------------------------------

  async #request(message: ProbeMessage, timeoutMs = this.#requestTimeoutMs): Promise<RequestAnswer> {
    const { seq, bytes } = this.#encoder.encode(message); // throws PayloadEncodeError for an invalid message
    const answered = this.#pending.add(seq, message.type, timeoutMs);
    this.#transport.write(bytes).catch((err: unknown) => {
      this.#pending.fail(seq, new ProbeLinkLostError(`could not send ${messageTypeName(message.type)}: ${asError(err).message}`, { cause: err }));
    });
    try {
      return await answered;
    } catch (err) {
      if (err instanceof ProbeNackError) this.#counters.nacks++;
      throw err;
    }
  }

  #requireReady(operation: string): void {
    if (this.#closed) throw new ProbeLinkClosedError(operation);
    if (this.#state !== 'ready' && this.#state !== 'streaming') throw new ProbeNotReadyError(operation, this.#state);
  }

  // ---- small helpers -------------------------------------------------------------------------

  #setState(state: ProbeLinkState): void {
    const previous = this.#state;
    if (state === previous) return;
    this.#state = state;
    this.emit('state', state, previous);
  }

  #settleWaiters(error: Error | null): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve(this.#identify!);
    }
  }

  /** Sleeps `ms` (null: until woken); woken early by 'attach', connect() or close(). */
  #sleep(ms: number | null): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const done = (): void => {
        if (timer) clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      if (ms !== null) timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  readonly #onAttach = (): void => this.#wake?.();

  readonly #onTransportError = (err: Error): void => {
    this.#lastError = err.message; // 'close' follows and ends the session
  };
}
