/**
 * English strings for the kiosk. Other languages copy this object's keys ({@link KioskMessages}):
 * nl.ts (Dutch).
 * Placeholders are {name}; messages.ts fills them.
 */
export const en = {
  'app.title': 'Pleura lung ultrasound',

  'connection.connecting': 'Connecting to the device…',
  'connection.connecting.action': 'This takes a few seconds',
  'connection.lost': 'No connection to the device',
  'connection.lost.action': 'Reconnecting automatically — restart the device if this stays',

  'probe.unknown': 'Waiting for the device…',
  'probe.disconnected': 'Probe not connected',
  'probe.disconnected.action': 'Check the probe cable',
  'probe.connecting': 'Connecting to the probe…',
  'probe.connecting.action': 'Keep the probe still',
  'probe.identifying': 'Identifying the probe…',
  'probe.identifying.action': 'This takes a few seconds',
  'probe.ready': 'Probe ready',
  'probe.ready.action': 'Place the probe on the patient',
  'probe.unknown.action': '',
  'probe.streaming': 'Scanning',
  'probe.streaming.action': '',
  'probe.incompatible': 'Probe not supported',
  'probe.incompatible.action': 'Connect a Pleura probe',
  'probe.temperature': '{value} °C',
  'probe.battery': 'Battery {value}%',

  'provisioning.title': 'This device is not set up yet',
  'provisioning.body': 'It needs its identity, keys and sync destination before it can be used for patients. Imaging stays off until then.',
  'provisioning.action': 'Ask your technician to run “pleura provision” on this device, then restart it.',
  'storage.lowDisk': 'Storage almost full — new clips cannot be saved. Let the device sync, or ask your technician to free space.',
  'probe.overTemperature': 'The probe is too warm — freeze the image and let it rest before you continue.',
  'pipeline.degraded': 'Image processing is restarting — the image may pause for a moment. No action needed.',

  'image.waiting': 'Waiting for the image…',
  'image.frozen': 'FROZEN',
  'image.depthUnit': 'cm',

  'metrics.fps': '{value} fps',
  'metrics.fpsNone': '— fps',
  'metrics.latency': '{value} ms',
  'metrics.latencyNone': '— ms',
  'metrics.fpsLabel': 'Frame rate',
  'metrics.latencyLabel': 'Latency',

  'controls.freeze': 'Freeze',
  'controls.unfreeze': 'Unfreeze',
  'controls.depth': 'Depth',
  'controls.gain': 'Gain',
  'controls.decrease': 'Less {name}',
  'controls.increase': 'More {name}',
  'controls.depthValue': '{value} cm',
  'controls.gainValue': '{value} dB',

  'findings.title': 'AI findings',
  'findings.decisionSupport': 'Decision support — not a diagnosis. Confirm on the image.',
  'findings.showOverlay': 'Show overlays',
  'findings.hideOverlay': 'Hide overlays',
  'findings.waiting': 'Waiting for findings…',
  'findings.bLines': 'B-lines',
  'findings.bLinesConfluent': '{count}, confluent',
  'findings.aLines': 'A-lines',
  'findings.seen': 'seen',
  'findings.notSeen': 'not seen',
  'findings.sliding': 'Lung sliding',
  'findings.sliding.present': 'present',
  'findings.sliding.absent': 'not seen — confirm by eye; absent sliding needs expert review',
  'findings.sliding.unknown': 'not known yet',
  'findings.quality': 'View',
  'findings.quality.good': 'good',
  'findings.quality.poor': 'not usable',
  'findings.zone': 'Zone score so far',
  'findings.zoneValue': '{score} ({frames} frames)',
  'findings.zoneNone': '—',
  'findings.consolidation': 'Possible consolidation (red box)',
  'findings.effusion': 'Possible effusion (blue box)',
  'findings.unavailable': 'AI findings are off: {reason}',
  'findings.unavailable.missing': 'the model is not installed. Scanning works as usual.',
  'findings.unavailable.refused': 'the model file failed its integrity check. Ask your technician to reinstall it.',
  'findings.unavailable.failed': 'the model could not start. Ask your technician.',
  'findings.unavailable.loading': 'starting…',

  'quality.no-image': 'No image — put gel on the probe and place it on the chest.',
  'quality.pleura-not-visible': 'Pleural line not visible — place the probe between two ribs and tilt it slightly.',
  'quality.pleura-too-short': 'Pleural line too short — a rib is in the way: slide the probe up or down.',
  'quality.gain-too-high': 'Image too bright — lower the gain.',
  'quality.gain-too-low': 'Image too dark — raise the gain.',
  'quality.pleura-too-deep': 'Pleural line low in the image — reduce the depth.',
  'quality.depth-too-shallow': 'The image ends just below the pleural line — increase the depth.',

  'footer.disclaimer': 'Findings are decision support, not a diagnosis.',
  'maintenance.open': 'Maintenance',
} as const;

export type MessageKey = keyof typeof en;
export type KioskMessages = Record<MessageKey, string>;

