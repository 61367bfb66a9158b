/**
 * The pipeline, declared in one place. Read it top to bottom: the probe's frames enter at
 * acquire; RF goes through the software beamformer; images a probe beamformed itself skip it;
 * enhance makes the display image; the device app shows it in the kiosk.
 * Per-stage settings come from the device configuration, keyed by stage name.
 */
import { GraphBuilder, type PipelineGraph } from './graph-builder.js';

export interface StageSettings {
  acquire: Record<string, unknown>;
  beamform: Record<string, unknown>;
  enhance: Record<string, unknown>;
}

export function compose(runtimeDir: string, settings: StageSettings): PipelineGraph {
  const g = new GraphBuilder(runtimeDir);

  const acquire = g.stage('acquire', 'acquire.js', settings.acquire);
  const beamform = g.stage('beamform', 'beamform.js', settings.beamform);
  const enhance = g.stage('enhance', 'enhance.js', settings.enhance);

  g.flow(acquire.out('rf'), beamform.in());
  g.flow(acquire.out('bmode'), enhance.in());
  g.flow(beamform.out('bmode'), enhance.in());
  g.flow(enhance.out('image'), g.app());

  return g.build();
}
