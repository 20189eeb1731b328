// Capture rules that redirect a network namespace's outbound TCP to an Envoy proxy: options and
// their validation, a pure builder (options → iptables-restore text), backend detection, and
// apply / remove / verify inside a netns. Knows nothing of pods or containers.
export {
  DEFAULT_CAPTURE,
  MAX_ID,
  MAX_LIST_ITEMS,
  parseCidrList,
  parsePortList,
  validateCaptureOptions,
} from './options.js';
export type { CaptureOptions, Family } from './options.js';
export { CHAINS, buildCaptureRules, expectedRuleLines } from './builder.js';
export { detectBackend } from './backend.js';
export type { Backend } from './backend.js';
export { applyCapture, netnsHasIpv6, removeCapture, verifyCapture } from './netns.js';
export type { NetnsTarget } from './netns.js';
