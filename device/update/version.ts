/** Release versions are MAJOR.MINOR.PATCH, compared numerically (no pre-release tags on devices). */
const VERSION = /^(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})$/;

export function isVersion(v: string): boolean {
  return VERSION.test(v);
}

export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  return 0;
}

function parse(v: string): [number, number, number] {
  const m = VERSION.exec(v);
  if (!m) throw new RangeError(`"${v}" is not a release version (MAJOR.MINOR.PATCH)`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}
