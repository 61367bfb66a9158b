/** DICOM DA/TM/DT values in UTC (every object carries TimezoneOffsetFromUTC "+0000"). */
export function da(iso: string): string {
  return iso.slice(0, 10).replace(/-/g, '');
}

export function tm(iso: string): string {
  return iso.slice(11, 19).replace(/:/g, '');
}

export function dt(iso: string): string {
  return da(iso) + tm(iso);
}

/** DS values are at most 16 characters. */
export function ds(value: number, decimals = 3): string {
  const s = Number(value.toFixed(decimals)).toString();
  if (s.length > 16) throw new RangeError(`${value} does not fit a DICOM DS (16 characters)`);
  return s;
}
