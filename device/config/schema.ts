/**
 * The device configuration, validated at start-up. Every field has a default that runs the
 * simulated probe, so `pleura start` with no configuration at all shows a live image.
 * Sources, later ones winning: defaults < JSON file < environment < command-line flags
 * (see load.ts and docs/configuration.md).
 */
import { z } from 'zod';

const transmits = z.object({
  kind: z.enum(['diverging', 'plane']).default('diverging'),
  /** Diverging: virtual-source x positions (m). Plane: steering angles (rad). */
  parameters: z.array(z.number().finite()).min(1).max(64).default([-0.01, 0, 0.01]),
});

export const transportSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('sim'),
    /** How the simulated probe is reached: a real pseudo-terminal (needs socat) or a Unix socket. */
    link: z.enum(['socket', 'pty']).default('socket'),
    probeModel: z.enum(['C5-2v', 'L11-5v']).default('C5-2v'),
    seed: z.number().int().default(1),
    /** Replay a loop of this many simulated frames instead of simulating each (benchmarks). 0: live. */
    loopFrames: z.number().int().min(0).max(600).default(0),
  }),
  z.object({ kind: z.literal('serial'), path: z.string().min(1), baudRate: z.number().int().positive().default(3_000_000) }),
  z.object({ kind: z.literal('socket'), address: z.string().regex(/^(unix:.+|tcp:[^:]+:\d+)$/, 'unix:/path or tcp:host:port') }),
  z.object({
    kind: z.literal('usb'),
    vendorId: z.number().int().min(0).max(0xffff),
    productId: z.number().int().min(0).max(0xffff),
    interfaceNumber: z.number().int().min(0).default(0),
    endpointIn: z.number().int().min(1).max(15).default(1),
    endpointOut: z.number().int().min(1).max(15).default(1),
  }),
]);

export const configSchema = z.object({
  kiosk: z
    .object({
      /** Loopback by default: the kiosk browser runs on the device itself. */
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  probe: z
    .object({
      transport: transportSchema.prefault({ kind: 'sim' }),
      preset: z.string().default('lung'),
      mode: z.enum(['rf', 'bmode']).default('rf'),
      depthMm: z.number().min(20).max(300).default(120),
      gainDb: z.number().min(-20).max(40).default(0),
      frameRateHz: z.number().min(1).max(120).default(20),
      transmits: transmits.prefault({}),
    })
    .prefault({}),
  pipeline: z
    .object({
      /** Where the ZeroMQ ipc:// endpoints live; a fresh temporary folder when empty. */
      runtimeDir: z.string().default(''),
      beamform: z
        .object({
          scanLines: z.number().int().min(16).max(512).default(128),
          depthSamples: z.number().int().min(64).max(2048).default(512),
          fNumber: z.number().positive().default(1.5),
          apodization: z.enum(['boxcar', 'hann', 'tukey']).default('hann'),
        })
        .prefault({}),
      enhance: z
        .object({
          dynamicRangeDb: z.number().min(20).max(100).default(50),
          displayWidth: z.number().int().min(64).max(2048).default(640),
          displayHeight: z.number().int().min(64).max(2048).default(480),
        })
        .prefault({}),
    })
    .prefault({}),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

export type DeviceConfig = z.infer<typeof configSchema>;
export type TransportConfig = z.infer<typeof transportSchema>;
