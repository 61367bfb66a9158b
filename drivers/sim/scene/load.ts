/**
 * `--scene NAME|FILE`: a preset name (presets.ts) or the path of a JSON scene (spec.ts).
 *
 * @example
 *   loadScene('b-lines-3');           // the preset
 *   loadScene('./my-scene.json');     // a file, validated
 */
import fs from 'node:fs';
import { isPresetName, PRESET_NAMES, presetScene } from './presets.js';
import { parseSceneSpec, SceneSpecError, type SceneSpec } from './spec.js';

export function loadScene(nameOrFile: string): SceneSpec {
  if (isPresetName(nameOrFile)) return presetScene(nameOrFile);
  if (!fs.existsSync(nameOrFile)) {
    throw new SceneSpecError(`--scene ${nameOrFile}: neither a preset (${PRESET_NAMES.join(', ')}) nor a JSON file that exists`);
  }
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(nameOrFile, 'utf8'));
  } catch (err) {
    throw new SceneSpecError(`--scene ${nameOrFile}: not valid JSON (${(err as Error).message})`);
  }
  const named = typeof json === 'object' && json !== null && !('name' in json) ? { ...json, name: nameOrFile.replace(/^.*\//, '').replace(/\.json$/, '') } : json;
  return parseSceneSpec(named, nameOrFile);
}
