/**
 * Little-endian cursors over a payload, and the spec's `str` (u16 byte length + UTF-8, at most
 * 255 bytes). The reader throws `PayloadLayoutError` on a short or malformed payload; payloads.ts
 * catches it at its boundary and turns it into a BadPayload result, so nothing escapes to callers.
 */

export const MAX_STR_BYTES = 255;

/** True where typed arrays can alias little-endian wire bytes directly (x86, ARM: everywhere we ship). */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Internal signal for a payload whose bytes do not match its layout. */
export class PayloadLayoutError extends Error {
  override name = 'PayloadLayoutError';
}

export class PayloadReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(bytes: number, what: string): void {
    if (this.remaining < bytes) {
      throw new PayloadLayoutError(`payload ends at byte ${this.buf.length} inside ${what} (needs ${bytes} bytes at ${this.pos})`);
    }
  }

  u8(): number {
    this.need(1, 'u8');
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2, 'u16');
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  i16(): number {
    this.need(2, 'i16');
    const v = this.buf.readInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4, 'u32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  f32(): number {
    this.need(4, 'f32');
    const v = this.buf.readFloatLE(this.pos);
    this.pos += 4;
    return v;
  }
  skip(bytes: number): void {
    this.need(bytes, 'reserved bytes');
    this.pos += bytes;
  }
  str(field: string): string {
    const length = this.u16();
    if (length > MAX_STR_BYTES) throw new PayloadLayoutError(`${field}: string length ${length} exceeds ${MAX_STR_BYTES} bytes`);
    this.need(length, `string ${field}`);
    let s: string;
    try {
      s = utf8.decode(this.buf.subarray(this.pos, this.pos + length));
    } catch {
      throw new PayloadLayoutError(`${field}: not valid UTF-8`);
    }
    this.pos += length;
    return s;
  }
  /** Every payload has an exact length: trailing bytes mean the layout is not what we think. */
  end(): void {
    if (this.remaining !== 0) {
      throw new PayloadLayoutError(`payload has ${this.remaining} unexpected trailing bytes after byte ${this.pos}`);
    }
  }
}

export class PayloadWriter {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }
  u8(v: number): void {
    this.pos = this.buf.writeUInt8(v, this.pos);
  }
  u16(v: number): void {
    this.pos = this.buf.writeUInt16LE(v, this.pos);
  }
  i16(v: number): void {
    this.pos = this.buf.writeInt16LE(v, this.pos);
  }
  u32(v: number): void {
    this.pos = this.buf.writeUInt32LE(v, this.pos);
  }
  f32(v: number): void {
    this.pos = this.buf.writeFloatLE(v, this.pos);
  }
  zeros(bytes: number): void {
    this.buf.fill(0, this.pos, this.pos + bytes);
    this.pos += bytes;
  }
  str(s: string): void {
    const length = Buffer.byteLength(s, 'utf8');
    this.u16(length);
    this.pos += this.buf.write(s, this.pos, length, 'utf8');
  }
  /** Copies a typed array's bytes verbatim (the caller has checked the host is little-endian). */
  raw(view: ArrayBufferView): void {
    this.buf.set(new Uint8Array(view.buffer, view.byteOffset, view.byteLength), this.pos);
    this.pos += view.byteLength;
  }
}

/** Wire size of a `str`. */
export function strBytes(s: string): number {
  return 2 + Buffer.byteLength(s, 'utf8');
}
