/**
 * A TCP forwarder that keeps every byte the client sends: put it between the device and a
 * server to check what really left the device (headers, multipart, DICOM, all of it).
 */
import net from 'node:net';

export interface WireRecorder {
  url: string;
  /** Everything sent towards the server, in order. */
  sent(): Buffer;
  close(): Promise<void>;
}

export async function recordWire(targetUrl: string): Promise<WireRecorder> {
  const target = new URL(targetUrl);
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.on('data', (d: Buffer) => chunks.push(Buffer.from(d)));
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    sent: () => Buffer.concat(chunks),
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
