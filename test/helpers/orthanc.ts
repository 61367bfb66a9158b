/**
 * A real Orthanc (with DICOMweb) for integration tests, started by the test itself with
 * scripts/orthanc/: inside a private network namespace where possible, reached from the test
 * and the device through a forwarder on the host's loopback. Tests that need it fail with a
 * message saying what to install; they never skip silently (CI installs Orthanc).
 *
 * @example
 * const pacs = await startOrthanc();
 * t.teardown(() => pacs.stop());
 * await pacs.kill();      // an outage: Orthanc dies (SIGKILL)
 * await pacs.restart();   // same data, same port
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = fileURLToPath(new URL('../../../scripts/orthanc/', import.meta.url));

export interface OrthancInstanceInfo {
  id: string;
  sopUid: string;
  md5: string;
  patientId: string;
  seriesUid: string;
  modality: string;
}

export interface OrthancServer {
  /** Orthanc's root URL as the device and the test reach it (host loopback). */
  url: string;
  dicomWebUrl: string;
  user: string;
  password: string;
  /** True when Orthanc runs in its own network namespace. */
  isolated: boolean;
  /** The Orthanc process dies (SIGKILL): an outage. */
  kill(): Promise<void>;
  /** Starts Orthanc again with the same data and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  get<T>(pathAndQuery: string): Promise<T>;
  /** Every instance of a study, with Orthanc's MD5 of the stored file. */
  studyInstances(studyUid: string): Promise<OrthancInstanceInfo[]>;
  statistics(): Promise<{ CountInstances: number; CountStudies: number }>;
}

export class OrthancUnavailableError extends Error {
  override name = 'OrthancUnavailableError';
}

interface EnvFile {
  ORTHANC_HTTP_PORT: string;
  ORTHANC_USER: string;
  ORTHANC_PASSWORD: string;
}

function readEnvFile(file: string): EnvFile {
  const env: Record<string, string> = {};
  for (const m of fs.readFileSync(file, 'utf8').matchAll(/^(\w+)='([^']*)'$/gm)) env[m[1]!] = m[2]!;
  return env as unknown as EnvFile;
}

function checkInstalled(): void {
  const which = spawnSync('bash', ['-c', 'command -v Orthanc && command -v socat && command -v unshare && command -v curl'], { encoding: 'utf8' });
  const plugin = fs.existsSync('/usr/share/orthanc/plugins/libOrthancDicomWeb.so');
  if (which.status !== 0 || !plugin) {
    throw new OrthancUnavailableError(
      'Orthanc with its DICOMweb plugin (and socat, curl, util-linux) is needed by this test and is not installed: ' +
        'run `sudo bash scripts/install-test-deps.sh` (apt-get install orthanc orthanc-dicomweb socat curl)',
    );
  }
}

async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>, log: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new OrthancUnavailableError(`${what} within ${timeoutMs} ms:\n${log()}`);
}

export async function startOrthanc(): Promise<OrthancServer> {
  checkInstalled();
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pleura-orthanc-'));
  const orthancDir = path.join(stateDir, 'orthanc');
  const envPath = path.join(orthancDir, 'orthanc.env');
  const sock = path.join(orthancDir, 'http.sock');
  let output = '';
  let holder: ChildProcess | null = spawn('bash', [path.join(SCRIPTS, 'netns-run.sh'), path.join(SCRIPTS, 'serve-in-netns.sh'), orthancDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  holder.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  holder.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  let holderExited = false;
  holder.once('exit', () => (holderExited = true));
  let isolated = true;
  try {
    await waitFor('Orthanc did not start in its network namespace', 40_000, () => holderExited || (fs.existsSync(sock) && fs.existsSync(envPath)), () => output);
  } catch (err) {
    holder.kill('SIGKILL');
    throw err;
  }
  if (holderExited) {
    if (!/unshare|Operation not permitted|namespace/i.test(output)) throw new OrthancUnavailableError(`Orthanc failed to start:\n${output}`);
    // No network namespaces here (a locked-down container): Orthanc on the host network, HTTP
    // only, refusing non-loopback clients, random password.
    isolated = false;
    holder = null;
    const r = spawnSync('bash', [path.join(SCRIPTS, 'start-orthanc.sh'), orthancDir], { encoding: 'utf8', env: { ...process.env, ORTHANC_ALLOW_HOST_NETWORK: '1' } });
    if (r.status !== 0) throw new OrthancUnavailableError(`Orthanc failed to start (no network namespace available: ${output.trim()}):\n${r.stderr}`);
  }
  const env = readEnvFile(envPath);

  // Host side: a loopback port forwarding to the namespace's socket (or straight to Orthanc).
  const sockets = new Set<net.Socket>();
  const forwarder = net.createServer((client) => {
    const upstream = isolated ? net.connect(sock) : net.connect(Number(env.ORTHANC_HTTP_PORT), '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => forwarder.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(forwarder.address() as net.AddressInfo).port}`;
  const auth = 'Basic ' + Buffer.from(`${env.ORTHANC_USER}:${env.ORTHANC_PASSWORD}`).toString('base64');

  const get = async <T>(p: string): Promise<T> => {
    const res = await fetch(url + p, { headers: { Authorization: auth } });
    if (!res.ok) throw new Error(`GET ${p} → HTTP ${res.status}: ${await res.text()}`);
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  };
  const answering = async (): Promise<boolean> => {
    try {
      return (await fetch(`${url}/system`, { headers: { Authorization: auth }, signal: AbortSignal.timeout(2000) })).ok;
    } catch {
      return false;
    }
  };
  const orthancPid = (): number | null => {
    try {
      return Number(fs.readFileSync(path.join(orthancDir, 'orthanc.pid'), 'utf8'));
    } catch {
      return null;
    }
  };
  await waitFor('Orthanc did not answer through the forwarder', 20_000, answering, () => output);

  const server: OrthancServer = {
    url,
    dicomWebUrl: `${url}/dicom-web`,
    user: env.ORTHANC_USER,
    password: env.ORTHANC_PASSWORD,
    isolated,
    async kill() {
      const pid = orthancPid();
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
        await waitFor('Orthanc did not die', 10_000, () => !pidAlive(pid), () => '');
      }
    },
    async restart() {
      const inner = `set -a; . '${envPath}'; set +a; exec bash '${path.join(SCRIPTS, 'start-orthanc.sh')}' '${orthancDir}'`;
      const cmd = isolated && holder?.pid
        ? ['nsenter', ['-t', String(holder.pid), '-U', '-n', '--preserve-credentials', '--', 'bash', '-c', inner]]
        : ['bash', ['-c', inner]];
      const r = spawnSync(cmd[0] as string, cmd[1] as string[], { encoding: 'utf8', env: { ...process.env, ORTHANC_ALLOW_HOST_NETWORK: isolated ? '0' : '1' } });
      if (r.status !== 0) throw new Error(`Orthanc restart failed: ${r.stderr}`);
      await waitFor('Orthanc did not answer after restart', 20_000, answering, () => r.stderr);
    },
    async stop() {
      spawnSync('bash', [path.join(SCRIPTS, 'stop-orthanc.sh'), orthancDir], { encoding: 'utf8' });
      if (holder && !holderExited) {
        const gone = new Promise((r) => holder!.once('exit', r));
        holder.kill('SIGTERM');
        await gone;
      }
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => forwarder.close(() => resolve()));
      fs.rmSync(stateDir, { recursive: true, force: true });
    },
    get,
    async studyInstances(studyUid) {
      const hits = (await (
        await fetch(`${url}/tools/lookup`, { method: 'POST', headers: { Authorization: auth }, body: studyUid })
      ).json()) as Array<{ Type: string; ID: string }>;
      const study = hits.find((h) => h.Type === 'Study');
      if (!study) return [];
      const instances = await get<Array<{ ID: string; MainDicomTags: { SOPInstanceUID: string } }>>(`/studies/${study.ID}/instances`);
      const out: OrthancInstanceInfo[] = [];
      for (const i of instances) {
        const tags = await get<Record<string, string>>(`/instances/${i.ID}/simplified-tags`);
        out.push({
          id: i.ID,
          sopUid: i.MainDicomTags.SOPInstanceUID,
          md5: (await get<string>(`/instances/${i.ID}/attachments/dicom/md5`)).trim(),
          patientId: tags.PatientID ?? '',
          seriesUid: tags.SeriesInstanceUID ?? '',
          modality: tags.Modality ?? '',
        });
      }
      return out;
    },
    statistics: () => get('/statistics'),
  };
  return server;
}

/** Alive and not a zombie (a killed Orthanc may wait for its reaper a moment). */
function pidAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
