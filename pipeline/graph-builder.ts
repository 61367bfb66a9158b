/**
 * A small builder for the pipeline graph, in the spirit of Holoscan's compose()/add_flow():
 * stages are declared with the module that implements them, flows connect an output port to an
 * input. `build()` turns the declaration into one StageSpec per process, with the ZeroMQ
 * endpoints resolved: every output port is bound by its producer, every input connects to all
 * the outputs that flow into it. One output may flow to several inputs (fan-out: enhance's
 * `image` feeds both the app and the infer stage); each consumer gets its own credit at the
 * producer (bus/frame-sender.ts), so the slow one never holds back the fast one.
 */
import path from 'node:path';

export interface StageSpec {
  name: string;
  /** Stage module, relative to the compiled pipeline/stages folder. */
  module: string;
  inputs: string[];
  outputs: Record<string, string>;
  settings: Record<string, unknown>;
}

export interface PortRef {
  stage: string;
  port: string;
}

export interface StageHandle {
  name: string;
  out(port: string): PortRef;
  in(port?: string): PortRef;
}

/** The device app itself: the sink at the end of the display path, in-process. */
export const APP_SINK = 'app';

export interface PipelineGraph {
  stages: StageSpec[];
  /** Endpoints the app's display sink connects to (the app's `in` port). */
  appInputs: string[];
  /** Every app port (`in`, `findings`, …) and the endpoints that flow into it. */
  appPorts: Record<string, string[]>;
}

export class GraphBuilder {
  private readonly stages = new Map<string, { module: string; settings: Record<string, unknown> }>();
  private readonly flows: Array<[PortRef, PortRef]> = [];

  constructor(private readonly runtimeDir: string) {}

  stage(name: string, module: string, settings: Record<string, unknown> = {}): StageHandle {
    if (this.stages.has(name) || name === APP_SINK) throw new Error(`pipeline stage "${name}" declared twice`);
    this.stages.set(name, { module, settings });
    return {
      name,
      out: (port) => ({ stage: name, port }),
      in: (port = 'in') => ({ stage: name, port }),
    };
  }

  /** An input of the device app: `in` is the display path; others (e.g. `findings`) get a receiver of their own. */
  app(port = 'in'): PortRef {
    return { stage: APP_SINK, port };
  }

  flow(from: PortRef, to: PortRef): this {
    if (!this.stages.has(from.stage)) throw new Error(`flow from undeclared stage "${from.stage}"`);
    if (to.stage !== APP_SINK && !this.stages.has(to.stage)) throw new Error(`flow to undeclared stage "${to.stage}"`);
    this.flows.push([from, to]);
    return this;
  }

  endpoint(ref: PortRef): string {
    return `ipc://${path.join(this.runtimeDir, `${ref.stage}.${ref.port}`)}`;
  }

  build(): PipelineGraph {
    const specs = [...this.stages].map(([name, s]): StageSpec => ({ name, module: s.module, inputs: [], outputs: {}, settings: s.settings }));
    const byName = new Map(specs.map((s) => [s.name, s]));
    const appPorts: Record<string, string[]> = { in: [] };
    for (const [from, to] of this.flows) {
      const endpoint = this.endpoint(from);
      byName.get(from.stage)!.outputs[from.port] = endpoint;
      const inputs = to.stage === APP_SINK ? (appPorts[to.port] ??= []) : byName.get(to.stage)!.inputs;
      if (!inputs.includes(endpoint)) inputs.push(endpoint);
    }
    return { stages: specs, appInputs: appPorts.in!, appPorts };
  }
}
