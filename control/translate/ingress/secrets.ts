// TLS Secrets for the gateway's SDS: a Secret an Ingress names is served only if it is a
// kubernetes.io/tls Secret whose tls.crt is a PEM certificate and tls.key the PEM private key of
// that certificate. Anything less would make Envoy reject the SDS update (and hold the HTTPS
// listener back), so it becomes an Event on the Ingress instead. Checks and resources are
// computed once per Secret object.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { SecretModel } from '../../model/types.js';
import { sdsSecretName } from '../names.js';

export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export type SecretResult = { ok: { name: string; resource: object } } | { error: string };

const memo = new WeakMap<SecretModel, SecretResult>();

function pemProblem(s: SecretModel): string | undefined {
  const crt = Buffer.from(s.certificateChain ?? '', 'base64').toString('utf8');
  const key = Buffer.from(s.privateKey ?? '', 'base64').toString('utf8');
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(crt);
  } catch {
    return 'tls.crt is not a PEM certificate';
  }
  try {
    if (!cert.checkPrivateKey(createPrivateKey(key))) return 'tls.key does not match tls.crt';
  } catch {
    return 'tls.key is not an unencrypted PEM private key';
  }
  return undefined;
}

function check(s: SecretModel): SecretResult {
  const ref = `Secret ${s.namespace}/${s.name}`;
  if (s.type !== TLS_SECRET_TYPE) {
    return { error: `${ref} is of type ${s.type}, not ${TLS_SECRET_TYPE}` };
  }
  if (!s.certificateChain || !s.privateKey) {
    const missing = [!s.certificateChain ? 'tls.crt' : '', !s.privateKey ? 'tls.key' : ''];
    return { error: `${ref} has no ${missing.filter((m) => m).join(' and ')}` };
  }
  const problem = pemProblem(s);
  if (problem) return { error: `${ref}: ${problem}` };
  const name = sdsSecretName(s.namespace, s.name);
  const resource = {
    name,
    tls_certificate: {
      // Both are base64 in the Secret, as proto3 JSON spells bytes.
      certificate_chain: { inline_bytes: s.certificateChain },
      private_key: { inline_bytes: s.privateKey },
    },
  };
  return { ok: { name, resource } };
}

/** The SDS Secret resource for `s`, or why it cannot be served. */
export function tlsSecret(s: SecretModel): SecretResult {
  let r = memo.get(s);
  if (!r) {
    r = check(s);
    memo.set(s, r);
  }
  return r;
}
