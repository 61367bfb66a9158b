/**
 * A small WebAssembly binary writer, enough for hand-written numeric kernels with 128-bit SIMD:
 * one imported (shared) memory, functions with typed locals, exports. Kernels are written in
 * TypeScript as a sequence of WAT-named instructions (`f.op('f32x4.add')`), so no external
 * assembler (wabt) is needed and a kernel can be specialised when it is generated.
 *
 * @example
 *   const m = new WasmModuleBuilder({ minPages: 1, maxPages: 16, shared: true });
 *   const f = m.func('add', ['i32', 'i32'], ['i32']);
 *   f.get(0).get(1).op('i32.add');
 *   const module = new WebAssembly.Module(m.bytes());
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';

const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Opcodes without immediates: plain byte, or [0xFD, n] for SIMD (n LEB-encoded). */
const PLAIN: Record<string, number> = {
  'drop': 0x1a, 'select': 0x1b, 'return': 0x0f,
  'i32.eqz': 0x45, 'i32.eq': 0x46, 'i32.ne': 0x47, 'i32.lt_s': 0x48, 'i32.lt_u': 0x49, 'i32.gt_s': 0x4a, 'i32.gt_u': 0x4b,
  'i32.le_s': 0x4c, 'i32.le_u': 0x4d, 'i32.ge_s': 0x4e, 'i32.ge_u': 0x4f,
  'f32.eq': 0x5b, 'f32.ne': 0x5c, 'f32.lt': 0x5d, 'f32.gt': 0x5e, 'f32.le': 0x5f, 'f32.ge': 0x60,
  'i32.add': 0x6a, 'i32.sub': 0x6b, 'i32.mul': 0x6c, 'i32.and': 0x71, 'i32.or': 0x72, 'i32.shl': 0x74, 'i32.shr_s': 0x75, 'i32.shr_u': 0x76,
  'f32.abs': 0x8b, 'f32.neg': 0x8c, 'f32.floor': 0x8e, 'f32.sqrt': 0x91, 'f32.add': 0x92, 'f32.sub': 0x93, 'f32.mul': 0x94, 'f32.div': 0x95,
  'f32.min': 0x96, 'f32.max': 0x97,
  'f64.add': 0xa0, 'f64.sub': 0xa1, 'f64.mul': 0xa2,
  'i32.trunc_f32_s': 0xa8, 'f32.convert_i32_s': 0xb2, 'f32.demote_f64': 0xb6, 'f64.promote_f32': 0xbb,
  'i32.reinterpret_f32': 0xbc, 'f32.reinterpret_i32': 0xbe,
};

const SIMD: Record<string, number> = {
  'i8x16.swizzle': 14, 'i32x4.splat': 17, 'f32x4.splat': 19,
  'i32x4.eq': 55, 'i32x4.ne': 56, 'i32x4.lt_s': 57, 'i32x4.gt_s': 59, 'i32x4.le_s': 61, 'i32x4.le_u': 62, 'i32x4.ge_s': 63,
  'f32x4.eq': 65, 'f32x4.ne': 66, 'f32x4.lt': 67, 'f32x4.gt': 68, 'f32x4.le': 69, 'f32x4.ge': 70,
  'v128.not': 77, 'v128.and': 78, 'v128.andnot': 79, 'v128.or': 80, 'v128.xor': 81, 'v128.bitselect': 82, 'v128.any_true': 83,
  'f32x4.floor': 104, 'f32x4.trunc': 105,
  'i32x4.extend_low_i16x8_s': 167, 'i32x4.extend_high_i16x8_s': 168,
  'i32x4.shl': 171, 'i32x4.shr_s': 172, 'i32x4.shr_u': 173, 'i32x4.add': 174, 'i32x4.sub': 177, 'i32x4.mul': 181,
  'i32x4.min_s': 182, 'i32x4.min_u': 183, 'i32x4.max_s': 184, 'i32x4.max_u': 185,
  'f32x4.abs': 224, 'f32x4.neg': 225, 'f32x4.sqrt': 227, 'f32x4.add': 228, 'f32x4.sub': 229, 'f32x4.mul': 230, 'f32x4.div': 231,
  'f32x4.min': 232, 'f32x4.max': 233, 'f32x4.pmin': 234, 'f32x4.pmax': 235,
  'i32x4.trunc_sat_f32x4_s': 248, 'f32x4.convert_i32x4_s': 250,
};

/** Loads and stores: [prefix?, opcode, natural alignment log2]. */
const MEMORY: Record<string, [number[], number]> = {
  'i32.load': [[0x28], 2], 'f32.load': [[0x2a], 2], 'i32.load16_s': [[0x2e], 1], 'i32.store': [[0x36], 2], 'f32.store': [[0x38], 2],
  'v128.load': [[0xfd, 0], 4], 'v128.load32_splat': [[0xfd, 9], 2], 'v128.load64_splat': [[0xfd, 10], 3], 'v128.load32_zero': [[0xfd, 92], 2],
  'v128.load64_zero': [[0xfd, 93], 3], 'v128.load16x4_s': [[0xfd, 3], 3], 'v128.store': [[0xfd, 11], 4],
};

/** Memory ops with a lane immediate. */
const MEMORY_LANE: Record<string, [number, number]> = {
  'v128.load32_lane': [86, 2], 'v128.load64_lane': [87, 3], 'v128.store32_lane': [90, 2], 'v128.store64_lane': [91, 3],
};

const LANE: Record<string, number> = {
  'i32x4.extract_lane': 27, 'i32x4.replace_lane': 28, 'f32x4.extract_lane': 31, 'f32x4.replace_lane': 32,
};

export function uleb(value: number, out: number[]): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v ? byte | 0x80 : byte);
  } while (v);
}

export function sleb(value: number, out: number[]): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function name(s: string, out: number[]): void {
  const b = Buffer.from(s, 'utf8');
  uleb(b.length, out);
  out.push(...b);
}

export class WasmAssemblyError extends Error {
  override name = 'WasmAssemblyError';
}

/** One function: parameters are locals 0..n-1; `local()` declares more. Chainable emitters. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  private depth = 0;

  constructor(
    readonly exportName: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** Declares a local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  op(wat: string): this {
    const plain = PLAIN[wat];
    if (plain !== undefined) {
      this.code.push(plain);
      return this;
    }
    const simd = SIMD[wat];
    if (simd === undefined) throw new WasmAssemblyError(`assembler: unknown instruction "${wat}"; add its opcode to assembler.ts`);
    this.code.push(0xfd);
    uleb(simd, this.code);
    return this;
  }

  get(local: number): this {
    this.code.push(0x20);
    uleb(local, this.code);
    return this;
  }

  set(local: number): this {
    this.code.push(0x21);
    uleb(local, this.code);
    return this;
  }

  tee(local: number): this {
    this.code.push(0x22);
    uleb(local, this.code);
    return this;
  }

  i32(value: number): this {
    this.code.push(0x41);
    sleb(value, this.code);
    return this;
  }

  f32(value: number): this {
    this.code.push(0x43);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.code.push(...b);
    return this;
  }

  /** v128.const from four f32 or four i32 lanes. */
  v128(lanes: readonly [number, number, number, number], kind: 'f32' | 'i32'): this {
    this.code.push(0xfd);
    uleb(12, this.code);
    const b = Buffer.alloc(16);
    lanes.forEach((v, i) => (kind === 'f32' ? b.writeFloatLE(v, 4 * i) : b.writeInt32LE(v | 0, 4 * i)));
    this.code.push(...b);
    return this;
  }

  /** Load/store with a constant byte offset added to the address on the stack. */
  mem(wat: string, offset = 0): this {
    const m = MEMORY[wat];
    if (!m) throw new WasmAssemblyError(`assembler: unknown memory instruction "${wat}"`);
    const [opcode, align] = m;
    this.code.push(opcode[0]!);
    if (opcode.length > 1) uleb(opcode[1]!, this.code);
    uleb(align, this.code);
    uleb(offset, this.code);
    return this;
  }

  memLane(wat: string, lane: number, offset = 0): this {
    const m = MEMORY_LANE[wat];
    if (!m) throw new WasmAssemblyError(`assembler: unknown lane memory instruction "${wat}"`);
    this.code.push(0xfd);
    uleb(m[0], this.code);
    uleb(m[1], this.code);
    uleb(offset, this.code);
    this.code.push(lane);
    return this;
  }

  lane(wat: string, lane: number): this {
    const opcode = LANE[wat];
    if (opcode === undefined) throw new WasmAssemblyError(`assembler: unknown lane instruction "${wat}"`);
    this.code.push(0xfd);
    uleb(opcode, this.code);
    this.code.push(lane);
    return this;
  }

  /** i8x16.shuffle of the two vectors on the stack by 16 byte indices. */
  shuffle(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new WasmAssemblyError('i8x16.shuffle needs 16 lane indices');
    this.code.push(0xfd);
    uleb(13, this.code);
    this.code.push(...bytes);
    return this;
  }

  /** Shuffle of 32-bit lanes (0-3 first vector, 4-7 second). */
  shuffle32(lanes: readonly [number, number, number, number]): this {
    return this.shuffle(lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }

  block(): this {
    this.code.push(0x02, 0x40);
    this.depth++;
    return this;
  }

  loop(): this {
    this.code.push(0x03, 0x40);
    this.depth++;
    return this;
  }

  if(): this {
    this.code.push(0x04, 0x40);
    this.depth++;
    return this;
  }

  else(): this {
    this.code.push(0x05);
    return this;
  }

  end(): this {
    this.code.push(0x0b);
    this.depth--;
    return this;
  }

  br(label: number): this {
    this.code.push(0x0c);
    uleb(label, this.code);
    return this;
  }

  brIf(label: number): this {
    this.code.push(0x0d);
    uleb(label, this.code);
    return this;
  }

  /** The function body as encoded in the code section. */
  body(): number[] {
    if (this.depth !== 0) throw new WasmAssemblyError(`function ${this.exportName}: ${this.depth} unclosed block(s)`);
    const out: number[] = [];
    // Run-length groups of equal local types.
    const groups: Array<[number, ValType]> = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(groups.length, out);
    for (const [n, t] of groups) {
      uleb(n, out);
      out.push(VALTYPE[t]);
    }
    out.push(...this.code, 0x0b);
    const sized: number[] = [];
    uleb(out.length, sized);
    return sized.concat(out);
  }
}

export interface MemoryImport {
  minPages: number;
  maxPages: number;
  shared: boolean;
}

/** A module importing `env.memory` and exporting its functions by name. */
export class WasmModuleBuilder {
  private readonly funcs: FunctionBuilder[] = [];

  constructor(readonly memory: MemoryImport) {}

  func(exportName: string, params: readonly ValType[], results: readonly ValType[] = []): FunctionBuilder {
    const f = new FunctionBuilder(exportName, params, results);
    this.funcs.push(f);
    return f;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, content: number[]) => {
      out.push(id);
      uleb(content.length, out);
      out.push(...content);
    };
    // Types: one per function (duplicates are allowed).
    const types: number[] = [];
    uleb(this.funcs.length, types);
    for (const f of this.funcs) {
      types.push(0x60);
      uleb(f.params.length, types);
      for (const p of f.params) types.push(VALTYPE[p]);
      uleb(f.results.length, types);
      for (const r of f.results) types.push(VALTYPE[r]);
    }
    section(1, types);
    const imports: number[] = [];
    uleb(1, imports);
    name('env', imports);
    name('memory', imports);
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(this.memory.minPages, imports);
    uleb(this.memory.maxPages, imports);
    section(2, imports);
    const funcIndices: number[] = [];
    uleb(this.funcs.length, funcIndices);
    this.funcs.forEach((_, i) => uleb(i, funcIndices));
    section(3, funcIndices);
    const exports: number[] = [];
    uleb(this.funcs.length, exports);
    this.funcs.forEach((f, i) => {
      name(f.exportName, exports);
      exports.push(0x00);
      uleb(i, exports);
    });
    section(7, exports);
    const code: number[] = [];
    uleb(this.funcs.length, code);
    for (const f of this.funcs) code.push(...f.body());
    section(10, code);
    return new Uint8Array(out);
  }
}
