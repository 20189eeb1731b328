// The reviews application used by end-to-end tests: a Service and two versioned Deployments
// whose pods listen on a random port (the simulated kubelet gives each pod a loopback address).

export const PORT = 20000 + Math.floor(Math.random() * 20000);
export const NODE = 'productpage-v1-abc.default';
export const TARGET = 'reviews.default.svc.cluster.local:9080';

export function manifest(): string {
  const deploy = (v: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata: { name: reviews-${v}, namespace: default, labels: { app: reviews, version: ${v} } }
spec:
  replicas: 1
  selector: { matchLabels: { app: reviews, version: ${v} } }
  template:
    metadata: { labels: { app: reviews, version: ${v} } }
    spec: { containers: [{ name: reviews, image: reviews:${v}, ports: [{ name: grpc, containerPort: ${PORT} }] }] }
`;
  return `apiVersion: v1
kind: Service
metadata: { name: reviews, namespace: default }
spec:
  selector: { app: reviews }
  ports: [{ name: grpc, port: 9080, targetPort: grpc }]
${deploy('v1')}${deploy('v2')}`;
}
