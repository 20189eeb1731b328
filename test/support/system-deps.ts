// The system programs the suite needs, and the Debian packages that provide them. `npm test`
// checks them first; as root with apt-get it installs what is missing, otherwise it fails and
// names the packages. (.ci/run installs the same list before npm ci.)
import { execa } from 'execa';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export const REQUIRED: Readonly<Record<string, string>> = {
  dockerd: 'docker.io',
  iptables: 'iptables',
  'iptables-save': 'iptables',
  nft: 'nftables',
  ip: 'iproute2',
  busybox: 'busybox-static',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  containerd: 'containerd',
  runc: 'runc',
};

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const dir of dirs) {
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function missingPackages(): string[] {
  const missing = Object.entries(REQUIRED).filter(([prog]) => !findProgram(prog));
  return [...new Set(missing.map(([, pkg]) => pkg))].sort();
}

/** Ensures every required program exists, installing packages when possible; throws if not. */
export async function ensureSystemDeps(log: (s: string) => void = console.log): Promise<void> {
  const missing = missingPackages();
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && findProgram('apt-get') !== undefined;
  if (!canInstall) {
    throw new Error(
      `missing Debian packages: ${missing.join(' ')} (apt-get install ${missing.join(' ')})`,
    );
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await execa('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  await execa('apt-get', ['install', '-y', '-qq', ...missing], { env, stdio: 'inherit' });
  const still = missingPackages();
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(' ')}`);
}
