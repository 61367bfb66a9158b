/**
 * A probe with only what firmware updates need — IDENTIFY (reporting the running firmware) and
 * the bootloader over SimFlash — served on a Unix socket. A reset closes the connection and boots
 * again, as a USB probe drops off the bus and re-enumerates.
 */
import net from 'node:net';
import { FrameDecoder } from '../../drivers/protocol/decoder.js';
import { ProtocolEncoder } from '../../drivers/protocol/encoder.js';
import { MessageType } from '../../drivers/protocol/messages.js';
import { SimBootloader } from '../../drivers/firmware/sim-bootloader.js';
import type { SimFlash } from '../../drivers/firmware/sim-flash.js';
import { C5_2V } from '../../drivers/sim/physics/probes.js';

export async function serveBootloaderProbe(socketPath: string, flash: SimFlash): Promise<{ close(): Promise<void>; resets: number }> {
  const state = { resets: 0 };
  flash.boot();
  const server = net.createServer((socket) => {
    const encoder = new ProtocolEncoder();
    const decoder = new FrameDecoder({ parse: true });
    const bootloader = new SimBootloader(flash);
    const send = (bytes: Buffer) => socket.write(bytes);
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (f.header.type >= 0x80 && f.header.type <= 0x9f) {
          bootloader.handle(f, {
            ack: (requestSeq, requestType) => send(encoder.encode({ type: MessageType.ACK, body: { requestSeq, requestType } }).bytes),
            nack: (requestSeq, requestType, code, reason) => send(encoder.encode({ type: MessageType.NACK, body: { requestSeq, requestType, code, reason } }).bytes),
            raw: (type, payload) => send(encoder.encodeRaw(type, payload).bytes),
            reset: () => {
              state.resets++;
              socket.end(() => flash.boot());
            },
          });
        } else if (f.message?.type === MessageType.IDENTIFY_REQUEST) {
          send(encoder.encode({ type: MessageType.IDENTIFY, body: { probeMinVersion: 1, probeMaxVersion: 1, selectedVersion: 1, model: flash.model, serial: 'FW-TEST', firmwareVersion: flash.runningVersion(), geometry: C5_2V.geometry } }).bytes);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return {
    get resets() {
      return state.resets;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
