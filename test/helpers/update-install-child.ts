/**
 * A process that installs an update bundle and kills itself with SIGKILL right after the step
 * named in argv — how the installer tests pull the plug at every step.
 *   node update-install-child.js ROOT BUNDLE TRUST_JSON CRASH_STEP|none
 */
import fs from 'node:fs';
import { installBundle, type InstallStep } from '../../device/update/installer.js';
import { ReleaseLayout } from '../../device/update/release-layout.js';
import type { TrustDocument } from '../../device/update/trust.js';

const [root, bundle, trustFile, crashAt] = process.argv.slice(2) as [string, string, string, string];
const trust = JSON.parse(fs.readFileSync(trustFile, 'utf8')) as TrustDocument;
await installBundle(bundle, {
  layout: new ReleaseLayout(root),
  policy: { trust, hardware: 'x86_64-dev' },
  afterStep: (step: InstallStep) => {
    if (step === crashAt) process.kill(process.pid, 'SIGKILL');
  },
});
process.stdout.write('installed\n');
