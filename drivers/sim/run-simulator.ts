/**
 * Runs a simulated probe as its own process, reachable like hardware: over a real
 * pseudo-terminal pair made by socat (the host opens one end as a serial port) or a socket.
 */
import { openSimFlash } from '../firmware/sim-firmware.js';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { loopingSource } from './looping-source.js';
import { createPhysicsSource } from './physics-source.js';
import { probeModelByName } from './physics/probes.js';
import { createLoopSource } from './loop/loop-source.js';
import { defaultCacheDir } from './loop/loop-spec.js';
import { loadScene } from './scene/load.js';
import { SimulatedProbe, type FrameSource } from './simulated-probe.js';
import { withElementFaults } from './element-faults.js';
import { PtyConnection } from './pty-connection.js';

export interface SimulatorOptions {
  /** `unix:/path` or `tcp:host:port`. */
  listen?: string;
  /** Path of the pty end the host opens; the simulator takes `${pty}.probe`. */
  pty?: string;
  probeModel: string;
  seed: number;
  /** Preset name or JSON scene file. */
  scene: string;
  loopFrames?: number;
  /** Simulate every frame instead of playing cached loops. */
  live?: boolean;
  cacheDir?: string;
  truth?: boolean;
  flashDir?: string;
  firmwareTrust?: string;
  /** Faulty elements (silent / attenuated RF channels), see element-faults.ts. */
  deadElements?: number[];
  weakElements?: number[];
  log: (line: string) => void;
  onProgress?: (built: number, total: number) => void;
}

export interface RunningSimulator {
  /** What the host opens. */
  address: string;
  close(): Promise<void>;
}

export class SocatMissingError extends Error {
  override name = 'SocatMissingError';
  constructor() {
    super('socat is not installed: the simulated probe needs it for a pseudo-terminal link (apt-get install socat), or use --listen unix:PATH');
  }
}

export async function runSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const source = createSource(opts);
  const flash = opts.flashDir ? openSimFlash(opts.flashDir, source.identity.model, source.identity.firmwareVersion, opts.firmwareTrust, opts.log) : undefined;
  const probe = new SimulatedProbe(source, { log: opts.log, ...(flash ? { flash } : {}) });
  if (opts.pty) return servePty(probe, opts.pty, opts.log);
  if (opts.listen) return serveSocket(probe, opts.listen, opts.log);
  throw new Error('pleura sim needs --listen unix:PATH|tcp:HOST:PORT or --pty PATH');
}

/**
 * Cached loops of one breath (default), or live physics (--live). --loop-frames (host benchmarks)
 * replays that many live-simulated frames: no worker thread builds anything in the background
 * while the host is being measured.
 */
function createSource(opts: SimulatorOptions): FrameSource {
  const probe = probeModelByName(opts.probeModel);
  const scene = loadScene(opts.scene);
  const truth = opts.truth !== false;
  const base = opts.live || opts.loopFrames
    ? createPhysicsSource({ probe, scene, seed: opts.seed, truth })
    : createLoopSource({
        probe,
        scene,
        seed: opts.seed,
        truth,
        cacheDir: opts.cacheDir ?? defaultCacheDir(),
        log: opts.log,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      });
  const looped = opts.loopFrames ? loopingSource(base, opts.loopFrames) : base;
  return withElementFaults(looped, { dead: opts.deadElements ?? [], weak: opts.weakElements ?? [] });
}

async function serveSocket(probe: SimulatedProbe, address: string, log: (l: string) => void): Promise<RunningSimulator> {
  const server = net.createServer((socket) => {
    log(`host connected`);
    socket.setNoDelay(true);
    socket.on('close', () => log('host disconnected'));
    probe.serve(socket);
  });
  server.on('error', (err) => log(`socket error: ${err.message}`));
  const m = /^(unix):(.+)$|^tcp:([^:]+):(\d+)$/.exec(address);
  if (!m) throw new Error(`--listen ${address}: expected unix:PATH or tcp:HOST:PORT`);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (m[1]) {
      fs.rmSync(m[2]!, { force: true });
      server.listen(m[2]!, resolve);
    } else server.listen(Number(m[4]), m[3]!, resolve);
  });
  log(`simulated probe listening on ${address}`);
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        probe.close();
        server.close(() => resolve());
        if (m[1]) fs.rmSync(m[2]!, { force: true });
      }),
  };
}

async function servePty(probe: SimulatedProbe, hostPath: string, log: (l: string) => void): Promise<RunningSimulator> {
  const probePath = `${hostPath}.probe`;
  for (const p of [hostPath, probePath]) fs.rmSync(p, { force: true });
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${probePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const spawnError = new Promise<never>((_, reject) => socat.once('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new SocatMissingError() : err)));
  let stderr = '';
  socat.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await Promise.race([spawnError, waitForPaths([hostPath, probePath], 5000, () => stderr)]);
  const port = PtyConnection.open(probePath);
  probe.serve(port);
  log(`simulated probe on pseudo-terminal ${hostPath}`);
  return {
    address: hostPath,
    close: async () => {
      probe.close();
      port.destroy();
      await stopChild(socat);
    },
  };
}

async function waitForPaths(paths: string[], timeoutMs: number, detail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!paths.every((p) => fs.existsSync(p))) {
    if (Date.now() > deadline) throw new Error(`socat did not create ${paths.join(' and ')} within ${timeoutMs} ms: ${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
