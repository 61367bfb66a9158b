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
    /** Lung scene: a preset name or a JSON scene file (docs/simulator.md). Unset: $PLEURA_SIM_SCENE, else `normal`. */
    scene: z.string().min(1).optional(),
    /** Simulate every frame live instead of playing a cached loop of one breath (slow: a few frames/s). Default false. */
    live: z.boolean().optional(),
    /** Folder of cached simulation loops. Default $PLEURA_SIM_CACHE, else ~/.cache/pleura/sim. */
    cacheDir: z.string().min(1).optional(),
    /** Send each frame's ground truth as vendor message 0xE0 (hosts ignore it). Default true. */
    truth: z.boolean().optional(),
    /** The simulated probe's firmware flash folder (bootloader answers; flashing from the maintenance page). */
    flashDir: z.string().min(1).optional(),
    /** Trust document whose firmware keys the simulated probe's bootloader accepts. */
    firmwareTrust: z.string().min(1).optional(),
    /** Simulated faulty elements: silent / attenuated RF channels (maintenance element check). */
    deadElements: z.array(z.number().int().min(0).max(1023)).optional(),
    weakElements: z.array(z.number().int().min(0).max(1023)).optional(),
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

const destinationName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lower-case letters, digits and -');

export const destinationSchema = z.discriminatedUnion('kind', [
  /** A PACS reached with HTTP basic auth (Orthanc: delivery also checked by its stored MD5). */
  z.object({
    kind: z.literal('orthanc'),
    name: destinationName.default('pacs'),
    /** Orthanc's root URL, e.g. http://127.0.0.1:8042 */
    url: z.url(),
    dicomWebPath: z.string().default('/dicom-web'),
    username: z.string().min(1),
    /** The password, or `secretFile` (e.g. `pleura provision`'s keys/sync-credentials.json). */
    password: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
    /** Look for reviewers' reports here. */
    review: z.boolean().default(true),
  }),
  /** The Delft Imaging cloud: DICOMweb with an OAuth2 client-credentials bearer token. */
  z.object({
    kind: z.literal('dicomweb-oauth2'),
    name: destinationName.default('delft-cloud'),
    dicomWebUrl: z.url(),
    tokenUrl: z.url(),
    clientId: z.string().min(1),
    /** The client secret, or `secretFile` (e.g. `pleura provision`'s keys/sync-credentials.json). */
    clientSecret: z.string().min(1).optional(),
    secretFile: z.string().min(1).optional(),
    scope: z.string().default(''),
    review: z.boolean().default(true),
  }),
]);

const syncSchema = z.object({
  destinations: z
    .array(destinationSchema)
    .default([])
    .refine((d) => new Set(d.map((x) => x.name)).size === d.length, 'destination names must be unique')
    .refine(
      (d) => d.every((x) => (x.kind === 'orthanc' ? x.password : x.clientSecret) !== undefined || x.secretFile !== undefined),
      'each destination needs its secret: password / clientSecret, or secretFile',
    ),
  /** Upload limit over all destinations, kilobytes per second; 0: unlimited. */
  bandwidthKBps: z.number().min(0).default(0),
  retry: z
    .object({
      initialMs: z.number().int().min(10).default(2000),
      maxMs: z.number().int().min(10).default(600_000),
    })
    .prefault({}),
  /** Time allowed for one request, on top of its upload time at the bandwidth limit. */
  requestTimeoutS: z.number().min(1).default(60),
  /** How often to look for reviewers' reports on synced, unreviewed exams. */
  reviewPollS: z.number().min(0.2).default(60),
});

/** Coherence-factor weighting of the envelope, CF^exponent (pipeline/enhance/coherence.ts). */
const coherenceFactorSchema = z.object({ enabled: z.boolean().default(false), exponent: z.number().min(0).max(4).default(0.5) });

/** The enhance stage's steps (pipeline/enhance/, measured in docs/imaging.md). */
const enhancementSchemas = {
  /** Speckle-reducing anisotropic diffusion. */
  speckleReduction: z.object({ enabled: z.boolean().default(false), iterations: z.number().int().min(1).max(50).default(4), timeStep: z.number().positive().max(0.25).default(0.2) }),
  /** Recursive frame averaging: out = alpha·previous + (1 - alpha)·new. */
  persistence: z.object({ enabled: z.boolean().default(false), alpha: z.number().min(0).max(0.95).default(0.5) }),
  /** Automatic depth gain: each depth's median tissue echo to targetDb below white. */
  autoGain: z.object({ enabled: z.boolean().default(false), targetDb: z.number().min(-60).max(0).default(-30), maxGainDb: z.number().min(0).max(60).default(30) }),
};

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
      /** The software beamformer (docs/beamforming.md); `presets` override per probe preset. */
      beamform: z
        .object({
          scanLines: z.number().int().min(16).max(512).default(128),
          depthSamples: z.number().int().min(64).max(2048).default(512),
          fNumber: z.number().positive().default(1.5),
          apodization: z.enum(['boxcar', 'hann', 'tukey']).default('hann'),
          /** Threads beamforming each frame; 0: every core but one (left to the other stages and the kiosk). */
          threads: z.number().int().min(0).max(64).default(0),
          /** exact: the reference method; upsampled: the reference method at half samples, linear in between: r ≈ 0.9997 to exact, faster only with boxcar apodization (docs/performance.md). */
          interpolation: z.enum(['exact', 'upsampled']).default('exact'),
          /** Largest delay table the beamformer keeps per grid (MiB; 0: none): ~25 MB at 128 lines × 512 samples, 3 transmits; a grid whose table is larger computes its delays per frame. */
          delayTableMaxMiB: z.number().int().min(0).max(1024).default(128),
          coherenceFactor: coherenceFactorSchema.prefault({}),
          presets: z.record(z.string(), z.object({ coherenceFactor: coherenceFactorSchema.optional() })).default({}),
        })
        .prefault({}),
      /** Display enhancement (docs/imaging.md); every step can be off; `presets` override per probe preset. */
      enhance: z
        .object({
          dynamicRangeDb: z.number().min(20).max(100).default(50),
          displayWidth: z.number().int().min(64).max(2048).default(640),
          displayHeight: z.number().int().min(64).max(2048).default(480),
          speckleReduction: enhancementSchemas.speckleReduction.prefault({}),
          persistence: enhancementSchemas.persistence.prefault({}),
          autoGain: enhancementSchemas.autoGain.prefault({}),
          presets: z
            .record(z.string(), z.object({ speckleReduction: enhancementSchemas.speckleReduction.optional(), persistence: enhancementSchemas.persistence.optional(), autoGain: enhancementSchemas.autoGain.optional() }))
            .default({}),
        })
        .prefault({}),
    })
    .prefault({}),
  /** AI models (docs/configuration.md, models/README.md). */
  models: z
    .object({
      /** Lung findings on the live image: the infer stage beside the display path (docs/pipeline.md). */
      findings: z
        .object({
          /** Off: no infer stage, no overlays. A missing or refused model does not need this: the device then runs without AI and says so. */
          enabled: z.boolean().default(true),
          /** The model's manifest (.json beside its .onnx); empty: models/lung-findings/lung-findings.json of this installation. A relative path is relative to the installation. */
          manifest: z.string().default(''),
          /** Execution providers in order of preference; the first that creates a session runs it, CPU is always the last resort. */
          executionProviders: z.array(z.enum(['tensorrt', 'cuda', 'cpu'])).min(1).default(['tensorrt', 'cuda', 'cpu']),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Provisioning (docs/deployment.md): where `pleura provision` wrote the identity and keys. */
  device: z
    .object({
      /** Folder with device.json and keys/ (e.g. /etc/pleura); empty: no provisioning (development). */
      configDir: z.string().default(''),
      /** An installed device refuses to scan until provisioned and shows why. */
      requireProvisioning: z.boolean().default(false),
    })
    .prefault({}),
  /** The local store of exams (docs/storage.md). */
  store: z
    .object({
      /** Where exams live; empty: $PLEURA_DATA_DIR, else $XDG_DATA_HOME/pleura, else ~/.local/share/pleura. */
      dataDir: z.string().default(''),
      /** Free disk that must remain after any capture; captures are refused before crossing it. */
      reserveMb: z.number().min(0).default(200),
      /** Upper bound on the store's own size; 0: none besides the reserve. */
      maxDataMb: z.number().min(0).default(0),
      /** The site key for pseudonyms; empty: the provisioned keys/site-key.bin, else <dataDir>/keys/site.key made on first start. */
      siteKeyFile: z.string().default(''),
    })
    .prefault({}),
  /** The cine buffer and captures (docs/api.md). */
  capture: z
    .object({
      /** Seconds of display frames kept for retrospective capture; also the longest clip. */
      cineSeconds: z.number().min(1).max(30).default(6),
      /** Clip length when a capture request names none. */
      defaultSeconds: z.number().min(0.5).max(30).default(3),
      /** Cap on the cine buffer's pixel memory. */
      maxCineMb: z.number().min(8).max(2048).default(256),
    })
    .prefault({}),
  /** Store-and-forward to DICOMweb destinations (docs/sync.md). None: exams wait in the outbox. */
  sync: syncSchema.prefault({}),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  /** Technician mode on the kiosk and field updates (docs/updates.md, "Maintenance page"). */
  maintenance: z
    .object({
      /** The release folder layout; empty: $PLEURA_RELEASE_ROOT; neither: software updates are refused. */
      releaseRoot: z.string().default(''),
      /** The trust document; empty: <device.configDir>/keys/trust.json. */
      trustFile: z.string().default(''),
      /** This device's hardware id as bundles list it; empty: jetson-orin-nano on arm64, else x86_64-dev. */
      hardware: z.string().default(''),
      /** Where update bundles (*.pleura, *.plb) and probe firmware images (*.plfw) are looked for (USB mounts). */
      mediaDirs: z.array(z.string().min(1)).default(['/media']),
      /** A technician session ends this long after the PIN was entered. */
      sessionMinutes: z.number().min(1).max(240).default(15),
      /** Restart the service (exit; systemd starts the new release) right after a successful install. */
      restartAfterInstall: z.boolean().default(true),
      /** Element check: an element is weak below this fraction of the median element RMS. */
      weakElementFraction: z.number().gt(0).lt(1).default(0.5),
    })
    .prefault({}),
});

export type DeviceConfig = z.infer<typeof configSchema>;
export type TransportConfig = z.infer<typeof transportSchema>;
export type DestinationConfig = z.infer<typeof destinationSchema>;
export type SyncConfig = DeviceConfig['sync'];
