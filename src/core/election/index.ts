export * from './types.js';
export { initialState, step, nextDeadline, currentPriority, currentMasterDownIntervalMs } from './step.js';
export { skewTimeMs, masterDownIntervalMs, effectivePriority, CS } from './timers.js';
export { compareIdentity, describeIdentity, addressBytes } from './identity.js';
export { roleLabel } from './transition.js';
export { MAX_TERM, isValidTerm, nextTerm, laterTerm } from './terms.js';
export * from './lease.js';
export * from './authorise.js';
