import test from 'ava';
import { decodeFrame, encodedFrameBytes } from '../../../ui-kiosk/web/protocol.js';
import { connectClient, delay, rampFrame, startKiosk, waitFor } from './kiosk-fixtures.js';

const WIDTH = 640;
const HEIGHT = 480;
const FRAME_BYTES = encodedFrameBytes(WIDTH, HEIGHT);
const FRAMES = 300;

test.serial('a client that stops reading gets frames dropped with a bounded buffer; a fast client gets all', async (t) => {
  const { server, url } = await startKiosk(t);
  const sentHook: number[] = [];
  server.onFrameSent = (seq) => sentHook.push(seq);

  const fast = await connectClient(t, url);
  const fastSeqs: number[] = [];
  fast.ws.on('message', (data, isBinary) => {
    if (isBinary) fastSeqs.push(decodeFrame(data as Buffer).seq);
  });
  const slow = await connectClient(t, url);
  slow.ws.pause(); // stops reading the TCP socket: the kernel buffers fill, then the server's
  await waitFor(() => server.stats().clients === 2, 2000, 'both clients registered');
  const [fastId, slowId] = server.stats().perClient.map((c) => c.id) as [number, number];

  let maxSlowBuffered = 0;
  const frame = rampFrame(0, WIDTH, HEIGHT); // one pixel buffer, so test allocations do not blur the measurement
  for (let seq = 0; seq < FRAMES; seq++) {
    frame.seq = seq;
    frame.pixels.fill(seq & 0xff, 0, WIDTH);
    server.publishFrame(frame);
    const slowStats = server.stats().perClient.find((c) => c.id === slowId);
    maxSlowBuffered = Math.max(maxSlowBuffered, slowStats?.bufferedBytes ?? 0);
    await delay(5);
  }
  await waitFor(() => fastSeqs.length === FRAMES, 10_000, `fast client to receive all ${FRAMES} frames`);

  const stats = server.stats();
  const fastStats = stats.perClient.find((c) => c.id === fastId);
  const slowStats = stats.perClient.find((c) => c.id === slowId);
  t.deepEqual(fastSeqs, Array.from({ length: FRAMES }, (_, i) => i), 'fast client: every frame, in order');
  t.is(fastStats?.framesDropped, 0);
  t.is(fastStats?.framesSent, FRAMES);

  t.truthy(slowStats);
  t.log(`slow client: sent ${slowStats?.framesSent}, dropped ${slowStats?.framesDropped}, max buffered ${maxSlowBuffered} B`);
  t.true((slowStats?.framesDropped ?? 0) > FRAMES / 2, `slow client dropped ${slowStats?.framesDropped}`);
  t.is((slowStats?.framesSent ?? 0) + (slowStats?.framesDropped ?? 0), FRAMES);
  // Default maxQueuedFrames = 1: at most the frame already queued plus the one just added.
  t.true(maxSlowBuffered <= 2 * FRAME_BYTES, `slow client buffered ${maxSlowBuffered} B, bound ${2 * FRAME_BYTES} B`);
  t.true(maxSlowBuffered > 0, 'the slow client really did back up');

  t.is(stats.framesPublished, FRAMES);
  t.is(stats.framesSent, FRAMES + (slowStats?.framesSent ?? 0));
  t.is(stats.framesDropped, slowStats?.framesDropped ?? 0);
  t.is(sentHook.length, FRAMES, 'onFrameSent fires once per frame that reached a client');
});

test.serial('server memory stays flat while a client stops reading', async (t) => {
  // Only the non-reading client here: a reading client in this process would allocate
  // receive buffers and blur what the server holds.
  const { server, url } = await startKiosk(t);
  const slow = await connectClient(t, url);
  slow.ws.pause();
  const frame = rampFrame(0, WIDTH, HEIGHT);
  const before = process.memoryUsage().arrayBuffers;
  let maxGrowth = 0;
  for (let seq = 0; seq < FRAMES; seq++) {
    frame.seq = seq;
    server.publishFrame(frame);
    maxGrowth = Math.max(maxGrowth, process.memoryUsage().arrayBuffers - before);
    await delay(2);
  }
  t.log(`ArrayBuffer growth ${(maxGrowth / 1e6).toFixed(1)} MB over ${FRAMES} frames of ${FRAME_BYTES} B`);
  // Queueing every frame would hold FRAMES × 300 kB ≈ 90 MB (less what the kernel took).
  t.true(maxGrowth < 8 * FRAME_BYTES, `ArrayBuffer memory grew by ${(maxGrowth / 1e6).toFixed(1)} MB`);
  t.true(server.stats().framesDropped > FRAMES / 2);
});

test.serial('the status still reaches a slow client once it reads again, latest value only', async (t) => {
  const { server, url } = await startKiosk(t);
  const slow = await connectClient(t, url);
  slow.ws.pause();
  for (let seq = 0; seq < 120; seq++) {
    server.publishFrame(rampFrame(seq, WIDTH, HEIGHT));
    server.publishStatus({ n: seq });
    await delay(2);
  }
  slow.ws.resume();
  await waitFor(() => slow.texts.some((m) => (m as { status: { n: number } }).status.n === 119), 5000, 'latest status');
  // Statuses published while the client was backed up were coalesced, not queued one by one.
  t.true(slow.texts.length < 120, `received ${slow.texts.length} status messages`);
});
