/**
 * Builds ONNX models (ModelProto) from TypeScript: a graph of nodes over named tensors, with
 * initializers. Used to generate models from geometry (the beamformer as an ONNX graph for GPU
 * execution providers) and small models for tests. Field numbers are those of onnx.proto.
 *
 * @example
 *   const model = new OnnxGraph('scale')
 *     .input('x', 'float32', [1, 4]).output('y', 'float32', [1, 4])
 *     .initializer('k', 'float32', [1], new Float32Array([2]))
 *     .node('Mul', ['x', 'k'], ['y'])
 *     .toModel({ producer: 'pleura' });
 */
import { ProtoWriter } from './protobuf-writer.js';

export type OnnxDtype = 'float32' | 'uint8' | 'int8' | 'int16' | 'int32' | 'int64' | 'bool';

const DATA_TYPE: Record<OnnxDtype, number> = { float32: 1, uint8: 2, int8: 3, int16: 5, int32: 6, int64: 7, bool: 9 };
const IR_VERSION = 8;

/** A dimension: a size, or a symbolic name for a dynamic one (e.g. 'batch'). */
export type Dim = number | string;

export type AttributeValue = number | string | number[] | { ints: number[] } | { floats: number[] } | { tensor: Initializer };

interface Initializer {
  name: string;
  dtype: OnnxDtype;
  dims: number[];
  data: Float32Array | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array;
}

interface Node {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes: Record<string, AttributeValue>;
  domain: string;
}

interface ValueInfo {
  name: string;
  dtype: OnnxDtype;
  shape: Dim[];
}

export class OnnxGraph {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly nodes: Node[] = [];

  constructor(readonly name: string) {}

  input(name: string, dtype: OnnxDtype, shape: Dim[]): this {
    this.inputs.push({ name, dtype, shape });
    return this;
  }

  output(name: string, dtype: OnnxDtype, shape: Dim[]): this {
    this.outputs.push({ name, dtype, shape });
    return this;
  }

  initializer(name: string, dtype: OnnxDtype, dims: number[], data: Initializer['data']): this {
    const count = dims.reduce((p, d) => p * d, 1);
    if (count !== data.length) throw new RangeError(`initializer ${name}: dims ${dims.join('×')} need ${count} values, got ${data.length}`);
    this.initializers.push({ name, dtype, dims, data });
    return this;
  }

  node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, AttributeValue> = {}, domain = ''): this {
    this.nodes.push({ opType, inputs, outputs, name: `${opType}_${this.nodes.length}`, attributes, domain });
    return this;
  }

  toModel(meta: { producer: string; producerVersion?: string; opset?: number; docString?: string; metadata?: Record<string, string> }): Buffer {
    const w = new ProtoWriter();
    w.int(1, IR_VERSION);
    w.string(2, meta.producer);
    w.string(3, meta.producerVersion ?? '1');
    w.message(7, (g) => this.writeGraph(g));
    w.message(8, (o) => o.string(1, '').int(2, meta.opset ?? 17));
    if (meta.docString) w.string(6, meta.docString);
    for (const [key, value] of Object.entries(meta.metadata ?? {})) w.message(14, (p) => p.string(1, key).string(2, value));
    return w.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const n of this.nodes) {
      g.message(1, (nw) => {
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        nw.string(3, n.name).string(4, n.opType);
        for (const [name, value] of Object.entries(n.attributes)) nw.message(5, (a) => writeAttribute(a, name, value));
        if (n.domain) nw.string(7, n.domain);
      });
    }
    g.string(2, this.name);
    for (const t of this.initializers) g.message(5, (tw) => writeTensor(tw, t));
    for (const v of this.inputs) g.message(11, (vw) => writeValueInfo(vw, v));
    for (const v of this.outputs) g.message(12, (vw) => writeValueInfo(vw, v));
  }
}

function writeTensor(w: ProtoWriter, t: Initializer): void {
  for (const d of t.dims) w.int(1, d);
  w.int(2, DATA_TYPE[t.dtype]);
  w.string(8, t.name);
  // raw_data is little-endian, which is every host Node runs on.
  w.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function writeValueInfo(w: ProtoWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, DATA_TYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
      });
    }),
  );
}

function writeAttribute(a: ProtoWriter, name: string, value: AttributeValue): void {
  a.string(1, name);
  if (typeof value === 'number') {
    if (Number.isInteger(value)) a.int(3, value).int(20, 2);
    else a.float(2, value).int(20, 1);
  } else if (typeof value === 'string') {
    a.string(4, value).int(20, 3);
  } else if (Array.isArray(value) || 'ints' in value) {
    for (const v of Array.isArray(value) ? value : value.ints) a.int(8, v);
    a.int(20, 7);
  } else if ('floats' in value) {
    for (const v of value.floats) a.float(7, v);
    a.int(20, 6);
  } else {
    a.message(5, (t) => writeTensor(t, value.tensor));
    a.int(20, 4);
  }
}
