// Which Ingresses are ours. An Ingress is, when its spec.ingressClassName is our class; or, with
// no class name, when its legacy annotation kubernetes.io/ingress.class names our class; or, with
// neither, when the IngressClass named like ours is the cluster's default class
// (ingressclass.kubernetes.io/is-default-class: "true") and names our controller. An IngressClass
// with our name that names another controller hands the class to that controller: we stand aside.
import type { ClusterModel, IngressClassModel, IngressModel } from '../model/types.js';

/** spec.controller of the IngressClass traffic-manager implements. */
export const INGRESS_CONTROLLER = 'traffic-manager.io/ingress-controller';
export const DEFAULT_INGRESS_CLASS = 'traffic-manager';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function isOurIngress(
  i: IngressModel,
  classes: ReadonlyMap<string, IngressClassModel>,
  ours: string,
): boolean {
  const cls = classes.get(ours);
  if (cls && cls.controller !== INGRESS_CONTROLLER) return false;
  if (i.className !== undefined) return i.className === ours;
  const legacy = i.annotations[LEGACY_CLASS_ANNOTATION];
  if (legacy !== undefined) return legacy === ours;
  return cls?.isDefault === true;
}

/** Our Ingresses, ordered by `namespace/name` (the order that settles conflicts). */
export function selectedIngresses(
  model: Pick<ClusterModel, 'ingresses' | 'ingressClasses'>,
  ours: string,
): IngressModel[] {
  return [...model.ingresses.entries()]
    .filter(([, i]) => isOurIngress(i, model.ingressClasses, ours))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, i]) => i);
}
