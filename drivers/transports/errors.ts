/** Transport errors. Each says which link and what to check or do next. */

export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    /** The transport's describe(), e.g. `socket unix:/run/pleura/probe.sock`. */
    readonly transport: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** open() failed. The message names the link and what to check. */
export class TransportOpenError extends TransportError {
  override name = 'TransportOpenError';
}

/** The address/path/ids in the configuration cannot describe a link at all. */
export class TransportConfigError extends TransportError {
  override name = 'TransportConfigError';
}

/** The link died under us: unplug, peer closed, I/O error. */
export class TransportLostError extends TransportError {
  override name = 'TransportLostError';
  constructor(transport: string, cause: unknown) {
    super(
      transport,
      `probe link ${transport} lost: ${cause instanceof Error ? cause.message : String(cause)}; ` +
        'check the cable or the simulator process; the probe link reconnects on its own',
      { cause },
    );
  }
}

/** write() on a transport that is not open. */
export class TransportClosedError extends TransportError {
  override name = 'TransportClosedError';
  constructor(transport: string) {
    super(transport, `cannot write to ${transport}: it is not open (call open() first, or wait for the probe link to reconnect)`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
