/**
 * Update bundles and probe firmware images on a USB stick: files under the configured media
 * folders (/media/<user>/<label>/… on Debian), two levels below a mount point at most, so a
 * large stick is not walked entirely.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface MediaFile {
  path: string;
  name: string;
  sizeBytes: number;
  modifiedAt: string;
}

export const BUNDLE_EXTENSIONS = ['.pleura', '.plb'];
export const FIRMWARE_EXTENSIONS = ['.plfw'];

export function findMediaFiles(roots: readonly string[], extensions: readonly string[], maxDepth = 4): MediaFile[] {
  const out: MediaFile[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // not mounted, no permission: nothing there for us
    }
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory() && depth < maxDepth) walk(full, depth + 1);
      else if (e.isFile() && extensions.some((x) => e.name.toLowerCase().endsWith(x))) {
        const st = fs.statSync(full);
        out.push({ path: full, name: e.name, sizeBytes: st.size, modifiedAt: st.mtime.toISOString() });
      }
      if (out.length >= 100) return;
    }
  };
  for (const root of roots) walk(root, 0);
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
