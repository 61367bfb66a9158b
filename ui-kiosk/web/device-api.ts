/**
 * The page's HTTP calls to the device (docs/api.md): never cached, and every failure — no answer,
 * or an answer other than 2xx — becomes a DeviceApiError carrying the device's own sentence
 * (`{"error": "…"}`), meant for the person at the kiosk.
 */

export class DeviceApiError extends Error {
  override readonly name = 'DeviceApiError';
  /** The HTTP status; 0 when the device did not answer. */
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function deviceFetch(route: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(route, { cache: 'no-store', ...init });
  } catch (err) {
    throw new DeviceApiError(0, err instanceof Error ? err.message : String(err));
  }
  if (res.ok) return res;
  const text = await res.text();
  let message = `${res.status} ${text.slice(0, 120)}`;
  try {
    const json = JSON.parse(text) as { error?: unknown } | null;
    if (json && typeof json.error === 'string') message = json.error;
  } catch {
    // Not JSON (e.g. a plain 404 page): keep the status, say what came.
  }
  throw new DeviceApiError(res.status, message);
}
