/**
 * The few protobuf wire-format primitives needed to write ONNX models: varints, length-delimited
 * fields and fixed 32-bit floats (https://protobuf.dev/programming-guides/encoding/). Writing
 * ONNX needs no generated code: the schema is small and stable (onnx.proto, IR version 8).
 */
export class ProtoWriter {
  private readonly parts: Buffer[] = [];

  private tag(field: number, wireType: 0 | 1 | 2 | 5): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  private varint(value: bigint): void {
    // Negative int64 values are written as 10-byte two's complement, as protobuf requires.
    let v = value < 0n ? (1n << 64n) + value : value;
    const bytes: number[] = [];
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) b |= 0x80;
      bytes.push(b);
    } while (v > 0n);
    this.parts.push(Buffer.from(bytes));
  }

  int(field: number, value: number | bigint): this {
    this.tag(field, 0);
    this.varint(BigInt(value));
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value, 0);
    this.parts.push(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2);
    this.varint(BigInt(value.length));
    this.parts.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Buffer {
    return Buffer.concat(this.parts);
  }
}
