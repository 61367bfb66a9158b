/**
 * A test acquisition for the element check: while the imaging pipeline has let go of the probe,
 * connect, configure RF mode (the channel data of every element), take one frame, stop, close.
 */
import { ProbeLink } from '../../drivers/probe/probe-link.js';
import { MessageType, type Configure, type FrameRf, type Identify } from '../../drivers/protocol/messages.js';
import type { TransportSpec } from '../../drivers/transports/transport.js';

export interface TestAcquisition {
  probe: Pick<Identify, 'model' | 'serial' | 'firmwareVersion'>;
  frame: FrameRf;
}

export async function testAcquisition(transport: TransportSpec, settings: Omit<Configure, 'mode'>, timeoutMs = 15_000): Promise<TestAcquisition> {
  const link = new ProbeLink({ transport, reconnectDelayMs: { initial: 100, max: 500 } });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no RF frame from the probe within ${timeoutMs / 1000} s; check the probe connection`)), timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const id = await link.connect();
        const messages = link.messages({ maxQueued: 2 });
        await link.configure({ ...settings, mode: 'rf' });
        await link.start();
        for await (const m of messages) {
          if (m.message.type === MessageType.FRAME_RF) {
            await link.stop().catch(() => undefined);
            return { probe: { model: id.model, serial: id.serial, firmwareVersion: id.firmwareVersion }, frame: m.message.body };
          }
        }
        throw new Error('the probe link closed before an RF frame arrived');
      })(),
      deadline,
    ]);
  } finally {
    clearTimeout(timer);
    await link.close().catch(() => undefined);
  }
}
