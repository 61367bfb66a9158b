/**
 * The maintenance page's HTTP API on the kiosk server (docs/api.md, "Maintenance"). Every route
 * but `unlock` needs `Authorization: Bearer <token>` from a PIN unlock, checked here on every
 * request; every call is written to the audit log (actor "technician"), refused and failed ones
 * included. Progress polling of a firmware flash is the one read that is not audited.
 */
import { KioskHttpError, postRoute, type KioskPostRoute, type KioskRequest, type KioskRoute } from '../../ui-kiosk/server/kiosk-server.js';
import { ACTOR, MaintenanceRefused, type MaintenanceService } from './maintenance-service.js';

export { ACTOR };

function bearer(req: KioskRequest): string | null {
  const h = req.headers?.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m ? m[1]! : null;
}

function filePath(body: unknown): { path: string } {
  const p = (body as { path?: unknown } | null)?.path;
  if (typeof p !== 'string' || !p.startsWith('/') || p.length > 4096 || p.includes('\0')) throw new Error('give "path": the absolute path of the file (e.g. /media/usb/pleura-1.2.0.pleura)');
  return { path: p };
}

export function maintenanceRoutes(service: MaintenanceService): { routes: Record<string, KioskRoute>; postRoutes: Record<string, KioskPostRoute> } {
  const { audit } = service.deps;
  const record = (action: string, detail: Record<string, unknown>): Promise<void> =>
    audit(`maintenance.${action}`, detail).catch((err: Error) => service.deps.log.error(`audit log: could not record maintenance.${action}: ${err.message}`));

  /** Checks the session, runs the action, audits its outcome. */
  const authed = async <T>(req: KioskRequest, action: string, detail: Record<string, unknown>, run: () => Promise<T> | T, auditIt = true): Promise<T> => {
    if (service.auth.check(bearer(req)) === null) {
      await record('denied', { action, ...detail });
      throw new KioskHttpError(401, 'technician session missing or expired; enter the PIN again');
    }
    try {
      const result = await run();
      if (auditIt) await record(action, { ...detail, outcome: 'ok', ...summary(result) });
      return result;
    } catch (err) {
      const refused = err instanceof MaintenanceRefused;
      await record(action, { ...detail, outcome: refused ? 'refused' : 'failed', ...(refused ? { code: err.code } : {}), error: (err as Error).message });
      if (refused) throw new KioskHttpError(409, err.message);
      throw err;
    }
  };

  return {
    routes: {
      // The page refreshes the info every few seconds (?refresh=1): only the first view is an action.
      '/api/maintenance/info': (req) => authed(req, 'info', {}, () => service.info(), req.query.get('refresh') !== '1'),
      '/api/maintenance/logs': (req) => {
        const lines = Number(req.query.get('lines') ?? 200);
        return authed(req, 'logs', { lines }, () => ({ lines: service.logs(Number.isFinite(lines) ? lines : 200) }));
      },
      '/api/maintenance/media': (req) => authed(req, 'media', {}, () => service.media()),
      '/api/maintenance/firmware': (req) => authed(req, 'firmware-progress', {}, () => service.firmwareProgress(), false),
      '/api/maintenance/audit': (req) => authed(req, 'audit', {}, async () => ({ entries: await service.deps.auditTrail(Math.min(200, Number(req.query.get('limit') ?? 50) || 50)) }), false),
    },
    postRoutes: {
      '/api/maintenance/unlock': postRoute(
        (body) => {
          const pin = (body as { pin?: unknown } | null)?.pin;
          if (typeof pin !== 'string' || pin.length > 64) throw new Error('give "pin": the technician PIN as a string of digits');
          return { pin };
        },
        async ({ pin }) => {
          const r = service.auth.unlock(pin);
          if (r.ok) {
            await record('unlock', { outcome: 'ok', expiresAt: new Date(r.expiresAtMs).toISOString() });
            service.deps.log.info('maintenance: technician mode unlocked');
            return { token: r.token, expiresAt: new Date(r.expiresAtMs).toISOString() };
          }
          await record('unlock', { outcome: r.reason, retryAfterMs: r.retryAfterMs });
          service.deps.log.warn(`maintenance: unlock refused: ${r.message}`);
          throw new KioskHttpError(r.reason === 'locked' ? 429 : r.reason === 'no-pin' ? 503 : 401, r.message);
        },
      ),
      '/api/maintenance/lock': postRoute(
        () => null,
        async (_input, req) => {
          const token = bearer(req);
          if (token && service.auth.check(token) !== null) {
            service.auth.lock(token);
            await record('lock', { outcome: 'ok' });
          }
          return { locked: true };
        },
      ),
      '/api/maintenance/diagnostics': postRoute(
        () => null,
        (_input, req) => authed(req, 'element-check', {}, () => service.diagnostics()),
      ),
      '/api/maintenance/update': postRoute(filePath, ({ path }, req) => authed(req, 'update-install', { file: path }, () => service.installUpdate(path))),
      '/api/maintenance/firmware': postRoute(filePath, ({ path }, req) =>
        authed(req, 'firmware-start', { file: path }, () =>
          service.startFirmwareFlash(path, (p) => void record('firmware-result', { file: path, outcome: p.state === 'done' ? 'ok' : 'failed', from: p.from, to: p.to, message: p.message })),
        ),
      ),
    },
  };
}

/** What of a result goes into the audit entry (small: no log lines, no per-element arrays). */
function summary(result: unknown): Record<string, unknown> {
  const r = (result ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of ['version', 'previous', 'databaseBackup', 'dead', 'weak', 'medianRms', 'state', 'to']) if (k in r) out[k] = r[k];
  return out;
}
