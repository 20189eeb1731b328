// Self-signed EC test certificates (generated for this project with openssl, valid for a century),
// for TLS Secrets in Ingress tests: one for shop.example.com, one for api.example.com.

import type { KubeObject } from '../fake-kube/kube.js';

export interface TestCert {
  host: string;
  crt: string;
  key: string;
}

export const SHOP_CERT: TestCert = {
  host: 'shop.example.com',
  crt: `-----BEGIN CERTIFICATE-----
MIIBqzCCAVCgAwIBAgIUB65LMxRV9Nmi9qzCYP3NuV+W3gAwCgYIKoZIzj0EAwIw
GzEZMBcGA1UEAwwQc2hvcC5leGFtcGxlLmNvbTAgFw0yNjExMjEyMDAwNDdaGA8y
MTI2MTAyODIwMDA0N1owGzEZMBcGA1UEAwwQc2hvcC5leGFtcGxlLmNvbTBZMBMG
ByqGSM49AgEGCCqGSM49AwEHA0IABPr/a/46kkRQD+M46J/KMs/TZYAwRZTIpjDR
S6HgSgIJtqnUeHM4a3CCLeB7Psz0uhxS3NtcS/EAw6BGjSZEoBWjcDBuMB0GA1Ud
DgQWBBTygkUfn/h3ZY/7NlQBcLM/jPiznzAfBgNVHSMEGDAWgBTygkUfn/h3ZY/7
NlQBcLM/jPiznzAPBgNVHRMBAf8EBTADAQH/MBsGA1UdEQQUMBKCEHNob3AuZXhh
bXBsZS5jb20wCgYIKoZIzj0EAwIDSQAwRgIhAIOT3n+hTdae6vIDnBeVGvYFGbWm
XFztuMqVT4kIHhhSAiEAlaQzEKi00zFTvYHcADgwZo7uZbyhv7RzXy/qvgaRP98=
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBvuaKowZFCEwIpSa
e8Vf2ZNXSqzDctETkMGiXrenmT+hRANCAAT6/2v+OpJEUA/jOOifyjLP02WAMEWU
yKYw0Uuh4EoCCbap1HhzOGtwgi3gez7M9LocUtzbXEvxAMOgRo0mRKAV
-----END PRIVATE KEY-----
`,
};

export const API_CERT: TestCert = {
  host: 'api.example.com',
  crt: `-----BEGIN CERTIFICATE-----
MIIBpjCCAU2gAwIBAgIURjWnD5IAZ8uyX6WEs7mfQ0rNeNAwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPYXBpLmV4YW1wbGUuY29tMCAXDTI2MTEyMTIwMDA0N1oYDzIx
MjYxMDI4MjAwMDQ3WjAaMRgwFgYDVQQDDA9hcGkuZXhhbXBsZS5jb20wWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAAS/jnFzmE1zuCUbBUcaNZuadjMezqXAJuRpw58L
QUoWZAe2i5xGCA60DcvNIeVpua7d33X04xn5CB6Es3m2g56Zo28wbTAdBgNVHQ4E
FgQUeD+AjQ2k/wqJa7QXIAOb/9HmahwwHwYDVR0jBBgwFoAUeD+AjQ2k/wqJa7QX
IAOb/9HmahwwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgg9hcGkuZXhhbXBs
ZS5jb20wCgYIKoZIzj0EAwIDRwAwRAIgCCiZq6AgqXiQo+5KcJ1mGcfTvV0ihJr+
oS3T2B4jQWACIFIBPIrhmnjQucR7/dDpmN0i+9dKrTq42imwYsxi4vCe
-----END CERTIFICATE-----
`,
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgXPH+9Ik7xY3F12VJ
+rJ5Cnaeilm6bZBX6xhv05vEZpyhRANCAAS/jnFzmE1zuCUbBUcaNZuadjMezqXA
JuRpw58LQUoWZAe2i5xGCA60DcvNIeVpua7d33X04xn5CB6Es3m2g56Z
-----END PRIVATE KEY-----
`,
};

/** A Kubernetes TLS Secret object (for the fake API) holding `cert`. */
export function tlsSecretObject(
  name: string,
  namespace: string,
  cert: { crt: string; key: string },
  type = 'kubernetes.io/tls',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type,
    metadata: { name, namespace },
    data: {
      'tls.crt': Buffer.from(cert.crt).toString('base64'),
      'tls.key': Buffer.from(cert.key).toString('base64'),
    },
  };
}
