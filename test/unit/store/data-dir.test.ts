import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { loadConfig } from '../../../device/config/load.js';
import { DataDirLock, LOCK_FILE, resolveDataDir } from '../../../device/store/data-dir.js';
import { DataDirBusyError } from '../../../device/store/errors.js';
import { tempDir } from './fixtures.js';

test('data directory: configured, else PLEURA_DATA_DIR, else XDG, else ~/.local/share/pleura', (t) => {
  t.is(resolveDataDir('/srv/p', { PLEURA_DATA_DIR: '/x' }), '/srv/p');
  t.is(resolveDataDir('', { PLEURA_DATA_DIR: '/x' }), '/x');
  t.is(resolveDataDir('', { XDG_DATA_HOME: '/xdg' }), '/xdg/pleura');
  t.is(resolveDataDir('', {}), path.join(os.homedir(), '.local', 'share', 'pleura'));
  t.is(loadConfig({ env: {}, flags: { 'data-dir': '/d' } }).store.dataDir, '/d');
  t.is(loadConfig({ env: { PLEURA_DATA_DIR: '/e' } }).store.dataDir, '/e');
});

test('one device per data directory; a lock left by a dead process is taken over', async (t) => {
  const dir = tempDir(t);
  const lock = DataDirLock.acquire(dir);
  const child = spawn('sleep', ['30']);
  t.teardown(() => child.kill('SIGKILL'));
  lock.release();
  fs.writeFileSync(path.join(dir, LOCK_FILE), `${child.pid}\n`);
  t.throws(() => DataDirLock.acquire(dir), { instanceOf: DataDirBusyError, message: new RegExp(`in use by process ${child.pid}`) });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const taken = DataDirLock.acquire(dir);
  t.is(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  taken.release();
  t.false(fs.existsSync(path.join(dir, LOCK_FILE)));
});

test('sync destinations are validated: profiles, unique names, URLs', (t) => {
  const c = loadConfig({ env: {} });
  t.deepEqual(c.sync.destinations, []);
  t.is(c.store.reserveMb, 200);
  const file = path.join(tempDir(t), 'c.json');
  fs.writeFileSync(file, JSON.stringify({ sync: { destinations: [
    { kind: 'orthanc', url: 'http://127.0.0.1:8042', username: 'u', password: 'p' },
    { kind: 'dicomweb-oauth2', dicomWebUrl: 'https://dicomweb.example/v1', tokenUrl: 'https://auth.example/token', clientId: 'c', clientSecret: 's' },
  ] } }));
  t.deepEqual(loadConfig({ env: {}, flags: { config: file } }).sync.destinations.map((d) => d.name), ['pacs', 'delft-cloud']);
  fs.writeFileSync(file, JSON.stringify({ sync: { destinations: [
    { kind: 'orthanc', url: 'http://a', username: 'u', password: 'p' },
    { kind: 'orthanc', url: 'http://b', username: 'u', password: 'p' },
  ] } }));
  t.throws(() => loadConfig({ env: {}, flags: { config: file } }), { message: /destination names must be unique/ });
  fs.writeFileSync(file, JSON.stringify({ sync: { destinations: [{ kind: 'orthanc', url: 'not a url', username: 'u', password: 'p' }] } }));
  t.throws(() => loadConfig({ env: {}, flags: { config: file } }), { message: /sync\.destinations\[0\]\.url/ });
});
