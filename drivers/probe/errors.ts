/** Errors of the probe link. Each says what happened and what the user or caller can do. */
import { NackCode } from '../protocol/messages.js';

export class ProbeLinkError extends Error {
  override name = 'ProbeLinkError';
}

export interface VersionRange {
  min: number;
  max: number;
}

/** No protocol version in common: retrying will not help, only a software or firmware update. */
export class ProbeIncompatibleError extends ProbeLinkError {
  override name = 'ProbeIncompatibleError';
  constructor(
    readonly host: VersionRange,
    /** The probe's range when it told us (IDENTIFY); null when it only NACKed. */
    readonly probe: VersionRange | null,
    detail: string,
  ) {
    super(
      `probe incompatible: this host speaks protocol v${host.min}–v${host.max}, ` +
        (probe ? `the probe v${probe.min}–v${probe.max}` : 'the probe none of them') +
        ` (${detail}); update the device software or flash probe firmware that speaks v${host.max}`,
    );
  }
}

const NACK_NAMES = new Map<number, string>(Object.entries(NackCode).map(([name, code]) => [code, name]));

const NACK_ADVICE: Record<number, string> = {
  [NackCode.UNSUPPORTED_VERSION]: 'the probe does not speak this protocol version; update the device software or the probe firmware',
  [NackCode.BAD_PAYLOAD]: 'host and probe disagree on the message layout; check that both run matching protocol versions',
  [NackCode.OUT_OF_RANGE]: 'choose values the probe supports; its previous configuration stays active',
  [NackCode.BUSY]: 'the probe is busy; retry in a moment',
  [NackCode.UNKNOWN_TYPE]: 'the probe firmware does not support this request; update the probe firmware',
  [NackCode.INTERNAL]: 'the probe reported an internal fault; unplug and re-plug it, and report its serial number if this repeats',
  [NackCode.IMAGE_REJECTED]: 'the probe refused the firmware image (signature, model or size); the running firmware stays',
};

/** The probe answered a request with NACK. */
export class ProbeNackError extends ProbeLinkError {
  override name = 'ProbeNackError';
  readonly codeName: string;
  constructor(
    readonly requestTypeName: string,
    readonly requestSeq: number,
    readonly code: number,
    readonly reason: string,
  ) {
    const codeName = NACK_NAMES.get(code) ?? `code ${code}`;
    super(`probe refused ${requestTypeName} (seq ${requestSeq}): ${codeName}${reason ? ` — ${reason}` : ''}; ${NACK_ADVICE[code] ?? 'see the probe documentation'}`);
    this.codeName = codeName;
  }
}

/** No ACK/NACK (or IDENTIFY) within the timeout. */
export class ProbeRequestTimeoutError extends ProbeLinkError {
  override name = 'ProbeRequestTimeoutError';
  constructor(
    readonly requestTypeName: string,
    readonly requestSeq: number,
    readonly timeoutMs: number,
  ) {
    super(
      `probe did not answer ${requestTypeName} (seq ${requestSeq}) within ${timeoutMs} ms; ` +
        'retry — if the link is lost it reconnects by itself; if this repeats, check that a Pleura probe is on this port',
    );
  }
}

/** The link went away while a request was outstanding, or the watchdog heard nothing. */
export class ProbeLinkLostError extends ProbeLinkError {
  override name = 'ProbeLinkLostError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`probe link lost: ${detail}; reconnecting automatically — retry once the link is ready again`, options);
  }
}

/** A request was made while the link is not in a state that can carry it. */
export class ProbeNotReadyError extends ProbeLinkError {
  override name = 'ProbeNotReadyError';
  constructor(
    readonly operation: string,
    readonly state: string,
  ) {
    super(`cannot ${operation}: the probe link is ${state}; wait for state 'ready' (await link.connect()) and retry`);
  }
}

/** The link was closed by its owner. */
export class ProbeLinkClosedError extends ProbeLinkError {
  override name = 'ProbeLinkClosedError';
  constructor(operation: string) {
    super(`cannot ${operation}: the probe link was closed; create a new ProbeLink to talk to the probe again`);
  }
}
