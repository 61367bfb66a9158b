/**
 * One pipeline edge on real ZeroMQ sockets (ipc): the consumer always gets the newest frame,
 * overtaken frames are dropped at the producer and counted, a fast consumer never gets a frame
 * twice, and an edge recovers when the producer restarts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { encodeFrame, type BusMessage } from '../../../pipeline/bus/frame-message.js';
import { FrameReceiver } from '../../../pipeline/bus/frame-receiver.js';
import { FrameSender } from '../../../pipeline/bus/frame-sender.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function frame(seq: number, bytes = 200_000): BusMessage {
  return encodeFrame('image', { seq, probeId: 'T', kind: 'image', frameIndex: seq, deviceTimestampUs: 0, frameCompleteMs: 0, trace: [] }, [
    { name: 'pixels', data: new Uint8Array(bytes).fill(seq & 0xff), shape: [bytes] },
  ]);
}

function endpoint(t: { title: string }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-edge-'));
  return `ipc://${dir}/${t.title.length}.edge`;
}

async function consume(receiver: FrameReceiver, got: number[], workMs: number): Promise<void> {
  for await (const f of receiver) {
    got.push(f.header.seq);
    // Work that takes time (asynchronous here, so that the producer in this process keeps going).
    if (workMs > 0) await sleep(workMs);
  }
}

test.serial('a slow consumer gets the newest frame; overtaken frames are dropped at the producer and counted', async (t) => {
  const ep = endpoint(t);
  const sender = new FrameSender(ep);
  await sender.bind();
  const receiver = new FrameReceiver([ep]);
  receiver.connect();
  const got: number[] = [];
  const consuming = consume(receiver, got, 60);
  await sleep(100);
  for (let seq = 0; seq < 60; seq++) {
    await sender.send(frame(seq));
    await sleep(10);
  }
  await sleep(300);
  receiver.close();
  sender.close();
  await consuming;
  t.true(got.length >= 5 && got.length < 40, `consumer took ${got.length} of 60`);
  t.deepEqual([...got].sort((a, b) => a - b), got, 'in order');
  t.is(new Set(got).size, got.length, 'never the same frame twice');
  t.true(got[got.length - 1]! >= 55, `the last frame taken is one of the newest (${got[got.length - 1]})`);
  t.is(sender.sent + sender.dropped + (got.includes(59) ? 0 : 1), 60, 'every frame is either sent or counted as dropped (the newest may be kept)');
  t.true(sender.dropped > 0);
});

test.serial('a fast consumer gets every frame once', async (t) => {
  const ep = endpoint(t);
  const sender = new FrameSender(ep);
  await sender.bind();
  const receiver = new FrameReceiver([ep]);
  receiver.connect();
  const got: number[] = [];
  const consuming = consume(receiver, got, 0);
  await sleep(100);
  for (let seq = 0; seq < 20; seq++) {
    await sender.send(frame(seq, 1000));
    await sleep(30);
  }
  await sleep(200);
  receiver.close();
  sender.close();
  await consuming;
  t.deepEqual(got, Array.from({ length: 20 }, (_, i) => i));
  t.is(sender.dropped, 0);
});

test.serial('the edge recovers when the producer restarts (its credit is asked for again)', async (t) => {
  const ep = endpoint(t);
  let sender = new FrameSender(ep);
  await sender.bind();
  const receiver = new FrameReceiver([ep]);
  receiver.connect();
  const got: number[] = [];
  const consuming = consume(receiver, got, 0);
  await sleep(100);
  await sender.send(frame(1, 1000));
  await sleep(100);
  sender.close();
  await sleep(100);
  sender = new FrameSender(ep);
  await sender.bind();
  const restartedAt = Date.now();
  while (!got.includes(2) && Date.now() - restartedAt < 3000) {
    await sender.send(frame(2, 1000));
    await sleep(50);
  }
  t.true(got.includes(2), 'frames flow again after the producer came back');
  t.log(`resumed ${Date.now() - restartedAt} ms after the restart`);
  receiver.close();
  sender.close();
  await consuming;
});

test.serial('fan-out: a slow second consumer never holds back a fast one; its skipped frames are counted under its name', async (t) => {
  const ep = endpoint(t);
  const sender = new FrameSender(ep);
  await sender.bind();
  const fast = new FrameReceiver([ep], 'app');
  const slow = new FrameReceiver([ep], 'infer');
  fast.connect();
  slow.connect();
  const gotFast: number[] = [];
  const gotSlow: number[] = [];
  const consumingFast = consume(fast, gotFast, 0);
  const consumingSlow = consume(slow, gotSlow, 90);
  await sleep(150);
  for (let seq = 0; seq < 40; seq++) {
    await sender.send(frame(seq, 50_000));
    await sleep(25);
  }
  await sleep(300);
  fast.close();
  slow.close();
  sender.close();
  await Promise.all([consumingFast, consumingSlow]);
  t.deepEqual(gotFast, Array.from({ length: 40 }, (_, i) => i), 'the fast consumer got every frame, in order');
  t.true(gotSlow.length >= 4 && gotSlow.length < 30, `the slow consumer took ${gotSlow.length} of 40`);
  t.deepEqual([...gotSlow].sort((a, b) => a - b), gotSlow, 'in order');
  t.true(gotSlow[gotSlow.length - 1]! >= 37, `and ends on one of the newest (${gotSlow[gotSlow.length - 1]})`);
  const counts = sender.consumers();
  t.is(counts.app?.dropped, 0);
  t.is(counts.app?.sent, 40);
  t.is(counts.infer?.sent, gotSlow.length);
  t.true((counts.infer?.dropped ?? 0) > 0);
  t.is(counts.infer!.sent + counts.infer!.dropped + (gotSlow.includes(39) ? 0 : 1), 40, 'every frame is sent to it or counted as skipped (the newest may still wait)');
});
