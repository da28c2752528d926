/** Namespace test helpers: see README.md beside this file. */
export { exec, ExecError, type ExecOptions, type ExecResult } from './exec.js';
export { NAME_PATTERN, allocatePrefix, ifname, ownerPid, processTag, releasePrefix } from './names.js';
export { DEBIAN_PACKAGE, locateTool, missingTools, netnsSkipReason, requireRoot, requireTools } from './skip.js';
export {
  createTopology,
  run,
  sweepLeftovers,
  withTopology,
  type Background,
  type Host,
  type InterfaceAddress,
  type Neighbour,
  type Topology,
  type TopologyOptions,
} from './topology.js';
export { waitFor, type WaitOptions } from './wait.js';
