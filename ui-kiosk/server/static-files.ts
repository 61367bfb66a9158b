import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the page's files live. Resolved from this module's own location so the same code works
 * from dist/ui-kiosk/server/: HTML/CSS are not compiled, so they come from the source tree
 * (ui-kiosk/web/), the browser JS comes from the compiled tree (dist/ui-kiosk/web/).
 */
export interface StaticRoots {
  /** index.html, kiosk.css (source tree). */
  page: string;
  /** Compiled browser ES modules (dist tree), served under /js/. */
  scripts: string;
}

export function defaultStaticRoots(): StaticRoots {
  return {
    page: fileURLToPath(new URL('../../../ui-kiosk/web/', import.meta.url)),
    scripts: fileURLToPath(new URL('../web/', import.meta.url)),
  };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Extensions servable from each root: never the .ts sources or anything else on disk. */
const PAGE_EXTENSIONS = new Set(['.html', '.css', '.svg', '.png', '.woff2']);
const SCRIPT_EXTENSIONS = new Set(['.js', '.map']);

export interface StaticFile {
  body: Buffer;
  contentType: string;
}

/**
 * Maps a URL pathname to a file, or null (→ 404). Rejects traversal twice: lexically
 * (no "..", backslash, NUL, or encoded slash segments) and after realpath (no symlink escape).
 */
export async function loadStaticFile(roots: StaticRoots, pathname: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..')) return null;

  let root: string;
  let allowed: Set<string>;
  if (segments.length === 0) {
    root = roots.page;
    allowed = PAGE_EXTENSIONS;
    segments.push('index.html');
  } else if (segments[0] === 'js') {
    root = roots.scripts;
    allowed = SCRIPT_EXTENSIONS;
    segments.shift();
  } else {
    root = roots.page;
    allowed = PAGE_EXTENSIONS;
  }
  const ext = extname(segments[segments.length - 1] ?? '').toLowerCase();
  if (segments.length === 0 || !allowed.has(ext)) return null;

  try {
    const realRoot = await realpath(root);
    const realFile = await realpath(join(root, ...segments));
    if (!realFile.startsWith(realRoot + sep)) return null;
    if (!(await stat(realFile)).isFile()) return null;
    return { body: await readFile(realFile), contentType: CONTENT_TYPES[ext] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}
