// The validation a client is likely to trip over, answered with 422 Invalid like the apiserver.
import { invalid, type Cause } from './errors.js';
import { asObject, asObjects, asString, getIn, scalarText } from './json.js';
import { labelsOf, nameOf, type KubeObject } from './kube.js';
import type { ResourceDef } from './registry.js';
import {
  isValidLabelKey,
  isValidLabelValue,
  matchLabels,
  requirementsFromLabelSelector,
} from './selectors/labels.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function nameCauses(res: ResourceDef, name: string): Cause[] {
  if (name === '') {
    return [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        reason: 'FieldValueRequired',
      },
    ];
  }
  const ok =
    res.plural === 'services' || res.plural === 'namespaces'
      ? DNS_1035.test(name) ||
        (res.plural === 'namespaces' && DNS_SUBDOMAIN.test(name) && !name.includes('.'))
      : DNS_SUBDOMAIN.test(name) && name.length <= 253;
  if (ok) return [];
  return [
    {
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 name must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    },
  ];
}

function labelCauses(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labelsOf(obj))) {
    if (!isValidLabelKey(key))
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
      });
    if (!isValidLabelValue(value))
      causes.push({
        field: 'metadata.labels',
        message: `Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.'`,
      });
  }
  return causes;
}

function containerCauses(spec: unknown, field: string): Cause[] {
  const containers = asObjects(getIn(spec, ['containers']));
  if (containers.length === 0) {
    return [
      { field: `${field}.containers`, message: 'Required value', reason: 'FieldValueRequired' },
    ];
  }
  const causes: Cause[] = [];
  containers.forEach((c, i) => {
    if (!asString(c.name))
      causes.push({
        field: `${field}.containers[${i}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    if (!asString(c.image))
      causes.push({
        field: `${field}.containers[${i}].image`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
  });
  return causes;
}

function workloadCauses(obj: KubeObject): Cause[] {
  const selector = asObject(getIn(obj, ['spec', 'selector']));
  if (!selector)
    return [{ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' }];
  const causes = containerCauses(getIn(obj, ['spec', 'template', 'spec']), 'spec.template.spec');
  const labels = asObject(getIn(obj, ['spec', 'template', 'metadata', 'labels'])) ?? {};
  const reqs = requirementsFromLabelSelector(selector);
  const strings = Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, scalarText(v)]));
  if (reqs.length === 0)
    causes.push({
      field: 'spec.selector',
      message: 'Invalid value: empty selector is invalid for deployment',
    });
  else if (!matchLabels(reqs, strings)) {
    causes.push({
      field: 'spec.template.metadata.labels',
      message: 'Invalid value: `selector` does not match template `labels`',
    });
  }
  return causes;
}

function serviceCauses(obj: KubeObject): Cause[] {
  const causes: Cause[] = [];
  asObjects(getIn(obj, ['spec', 'ports'])).forEach((p, i) => {
    const port = p.port;
    if (typeof port !== 'number' || port < 1 || port > 65535) {
      causes.push({
        field: `spec.ports[${i}].port`,
        message: `Invalid value: ${JSON.stringify(port ?? null)}: must be between 1 and 65535, inclusive`,
      });
    }
  });
  return causes;
}

function kindCauses(res: ResourceDef, obj: KubeObject): Cause[] {
  switch (res.plural) {
    case 'pods':
      return containerCauses(obj.spec, 'spec');
    case 'deployments':
    case 'replicasets':
    case 'statefulsets':
    case 'daemonsets':
      return workloadCauses(obj);
    case 'services':
      return serviceCauses(obj);
    default:
      return [];
  }
}

/** Throws a 422 KubeError listing every problem found. */
export function validateObject(res: ResourceDef, obj: KubeObject): void {
  const name = nameOf(obj);
  const causes = [...nameCauses(res, name), ...labelCauses(obj), ...kindCauses(res, obj)];
  if (causes.length > 0) throw invalid(res, name, causes);
}
