/**
 * Element directivity of a strip element of width w in a soft baffle (2-D):
 *   D(ψ) = cos ψ · sinc(w sin ψ / λ),   sinc(u) = sin(πu)/(πu)
 * with ψ the angle between the element normal and the direction to the field point, evaluated
 * at the centre frequency. Tabulated over sin ψ ∈ [-1, 1] so the hot loop needs no trigonometry;
 * points behind the element (cos ψ ≤ 0) get 0 and are skipped by the caller.
 */
export interface DirectivityTable {
  values: Float32Array;
  /** values[round((sinψ + 1) * scale)] */
  scale: number;
}

export function directivityTable(elementWidthM: number, wavelengthM: number, size = 2049): DirectivityTable {
  const values = new Float32Array(size);
  const scale = (size - 1) / 2;
  for (let k = 0; k < size; k++) {
    const s = k / scale - 1;
    const u = (elementWidthM * s) / wavelengthM;
    const sinc = u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u);
    values[k] = Math.sqrt(Math.max(0, 1 - s * s)) * sinc;
  }
  return { values, scale };
}
