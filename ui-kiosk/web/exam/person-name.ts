/**
 * A DICOM person name ("Family^Given^Middle^Prefix^Suffix", as the start dialog stores it) the way
 * people read it: "Visser, Anna". A name typed without carets is shown as typed.
 */
export function personName(dicomName: string): string {
  if (!dicomName.includes('^')) return dicomName.trim();
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = dicomName.split('^').map((p) => p.trim());
  const first = [prefix, given, middle].filter(Boolean).join(' ');
  const name = [family, first].filter(Boolean).join(', ');
  return suffix ? `${name} ${suffix}` : name;
}
