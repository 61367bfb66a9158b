/**
 * The pipeline, declared in one place. Read it top to bottom: the probe's frames enter at
 * acquire; RF goes through the software beamformer; images a probe beamformed itself skip it;
 * enhance makes the display image; the device app shows it in the kiosk. Beside the display
 * path, when lung findings are on, the infer stage reads the same display images (a second
 * consumer of enhance's `image`: it takes the newest frame whenever it is free, so the display
 * path never waits for it) and sends each frame's findings to the app.
 * Per-stage settings come from the device configuration, keyed by stage name.
 */
import { GraphBuilder, type PipelineGraph } from './graph-builder.js';

export interface StageSettings {
  acquire: Record<string, unknown>;
  beamform: Record<string, unknown>;
  enhance: Record<string, unknown>;
  /** The findings model (device/config `models.findings`); absent: no infer stage at all. */
  infer?: Record<string, unknown>;
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

  if (settings.infer) {
    const infer = g.stage('infer', 'infer.js', settings.infer);
    g.flow(enhance.out('image'), infer.in());
    g.flow(infer.out('findings'), g.app('findings'));
  }

  return g.build();
}
