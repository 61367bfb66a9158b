/**
 * The sync worker thread: the outbox worker and the review poller, on their own connection to
 * the store, so uploads, hashing and polling never compete with the display path or with a
 * capture being written.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { serializeError } from '../store/errors.js';
import { Store } from '../store/store.js';
import { createDestination, type Destination } from './destination.js';
import { ReviewPoller } from './review-poller.js';
import { SyncEngine } from './sync-engine.js';
import type { SyncStatus } from './sync-status.js';
import type { SyncThreadOptions, SyncThreadReply, SyncThreadRequest } from './sync-thread-api.js';
import { TokenBucket } from './token-bucket.js';

const port = parentPort;
if (!port) throw new Error('sync-thread.js runs as a worker thread (see sync-client.ts)');
const opts = workerData as SyncThreadOptions;
const post = (m: SyncThreadReply): void => port.postMessage(m);
const log = (level: 'info' | 'warn' | 'error', message: string): void => post({ type: 'log', level, message });

const bucket = new TokenBucket(opts.sync.bandwidthKBps * 1000);
const timeoutMs = opts.sync.requestTimeoutS * 1000;
let store: Store;
let destinations: Destination[];
try {
  destinations = opts.sync.destinations.map((c) => createDestination(c, bucket, timeoutMs));
  store = Store.open({ dataDir: opts.dataDir, budget: opts.budget, siteKeyFile: opts.siteKeyFile, destinations: opts.sync.destinations.map((d) => d.name) });
} catch (err) {
  post({ type: 'fatal', error: serializeError(err) });
  process.exit(1);
}

let statusQueued = false;
const publish = (): void => {
  // Coalesce: a burst of changes becomes one message.
  if (statusQueued) return;
  statusQueued = true;
  setTimeout(() => {
    statusQueued = false;
    post({ type: 'status', status: status() });
  }, 50);
};
const engine = new SyncEngine(store, destinations, { backoff: opts.sync.retry, log, onChange: publish });
const poller = new ReviewPoller(store, destinations, opts.sync.reviewPollS * 1000, log, publish);

function status(): SyncStatus {
  return {
    running: true,
    destinations: engine.status.map((s) => ({ ...s })),
    reviewsFound: poller.reviewsFound,
    lastReviewPollAt: poller.lastPollAt,
  };
}

engine.start();
poller.start();
post({ type: 'ready', status: status() });

port.on('message', (m: SyncThreadRequest) => {
  if (m.type === 'kick') {
    engine.kick();
    return;
  }
  if (m.type === 'stop') {
    void Promise.all([engine.stop(), poller.stop()]).finally(() => {
      store.close();
      post({ type: 'stopped' });
      port.close();
    });
  }
});
