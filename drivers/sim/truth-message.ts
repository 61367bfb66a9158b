/**
 * Ground truth on the wire: the simulated probe sends, right after each frame, a vendor-debug
 * message (type 0xE0, docs/probe-protocol.md "Vendor debug messages") whose payload is the
 * frame's FrameTruth as UTF-8 JSON. Hosts that do not know it ignore it (the decoder passes it
 * on raw and counts it as unknownType); tools that record or train read it with
 * parseTruthMessage.
 *
 * @example
 *   for (const raw of decoder.push(bytes)) {
 *     const truth = parseTruthMessage(raw);   // FrameTruth or null
 *   }
 */
import type { FrameTruth } from './scene/truth.js';

export const TRUTH_MESSAGE_TYPE = 0xe0;

export function encodeTruthPayload(truth: FrameTruth | string): Buffer {
  return Buffer.from(typeof truth === 'string' ? truth : JSON.stringify(truth), 'utf8');
}

export class TruthMessageError extends Error {
  override name = 'TruthMessageError';
}

/** The truth a 0xE0 frame carries, or null for any other frame. Throws TruthMessageError for a malformed one. */
export function parseTruthMessage(raw: { header: { type: number }; payload: Uint8Array }): FrameTruth | null {
  if (raw.header.type !== TRUTH_MESSAGE_TYPE) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw.payload.buffer, raw.payload.byteOffset, raw.payload.byteLength).toString('utf8'));
  } catch (err) {
    throw new TruthMessageError(`vendor message 0xE0 is not JSON (${(err as Error).message}); is the probe a pleura simulator of protocol v1?`);
  }
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'pleura-sim-truth') {
    throw new TruthMessageError('vendor message 0xE0 is JSON but not a pleura-sim-truth object; another vendor uses this code');
  }
  return value as FrameTruth;
}
