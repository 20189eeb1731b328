// Prints the plain manifest: the chart rendered with its defaults into traffic-system, behind a
// short header. Regenerate the committed copy with
//   node --import tsx test/deploy/render.ts > deploy/manifests/traffic-manager.yaml
// (test/deploy/manifests.test.ts fails when the two differ).
import { plainManifest } from './chart.js';

plainManifest().then(
  (text) => process.stdout.write(text),
  (err: unknown) => {
    process.stderr.write(`render: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
