/**
 * English strings for the kiosk. Other languages copy this object's keys ({@link KioskMessages}).
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

  'footer.disclaimer': 'Findings are decision support, not a diagnosis.',
} as const;

export type MessageKey = keyof typeof en;
export type KioskMessages = Record<MessageKey, string>;

