/**
 * The fields of a BFD Control packet (RFC 5880 §4.1) and its Authentication Section
 * (§4.2-§4.4) as the session core sees them. The bytes are src/wire/bfd.ts's; the types live
 * here because the core may import nothing but the core.
 */

/** §4.1 State (Sta). */
export const BFD_STATES = ['AdminDown', 'Down', 'Init', 'Up'] as const;
export type BfdState = (typeof BFD_STATES)[number];

/** §4.1 Diagnostic (Diag), values 0-8; 9-31 are reserved. */
export const BFD_DIAGNOSTICS = [
  'No Diagnostic', 'Control Detection Time Expired', 'Echo Function Failed', 'Neighbor Signaled Session Down',
  'Forwarding Plane Reset', 'Path Down', 'Concatenated Path Down', 'Administratively Down', 'Reverse Concatenated Path Down',
] as const;
export const BfdDiag = {
  None: 0, ControlDetectionTimeExpired: 1, EchoFunctionFailed: 2, NeighborSignaledSessionDown: 3,
  ForwardingPlaneReset: 4, PathDown: 5, ConcatenatedPathDown: 6, AdministrativelyDown: 7, ReverseConcatenatedPathDown: 8,
} as const;

/** §4.1 Auth Type. 0 and 6-255 are reserved. */
export const BfdAuthType = {
  SimplePassword: 1, KeyedMd5: 2, MeticulousKeyedMd5: 3, KeyedSha1: 4, MeticulousKeyedSha1: 5,
} as const;
/** §4.2: Simple Password, 1-16 bytes of password. */
export interface BfdSimplePasswordAuth {
  type: typeof BfdAuthType.SimplePassword;
  keyId: number;
  password: Uint8Array;
}

/** §4.3 / §4.4: Keyed and Meticulous Keyed MD5 and SHA1 share one layout, digest lengths differ. */
export interface BfdKeyedAuth {
  type: typeof BfdAuthType.KeyedMd5 | typeof BfdAuthType.MeticulousKeyedMd5 | typeof BfdAuthType.KeyedSha1 | typeof BfdAuthType.MeticulousKeyedSha1;
  keyId: number;
  /** 32-bit sequence number (§4.3, §4.4). */
  sequence: number;
  /** Auth Key/Digest (16 bytes, MD5) or Auth Key/Hash (20 bytes, SHA1). */
  digest: Uint8Array;
}

export type BfdAuth = BfdSimplePasswordAuth | BfdKeyedAuth;

export interface BfdControlPacket {
  /** §4.1 Diag, 0-31. */
  diag: number;
  state: BfdState;
  /** Poll (P). */
  poll: boolean;
  /** Final (F). */
  final: boolean;
  /** Control Plane Independent (C). */
  controlPlaneIndependent: boolean;
  /** Demand (D). */
  demand: boolean;
  /** Detect Mult, 1-255. */
  detectMult: number;
  /** My Discriminator, nonzero 32-bit. */
  myDiscriminator: number;
  /** Your Discriminator, 32-bit; zero while the remote's is unknown. */
  yourDiscriminator: number;
  /** Desired Min TX Interval, microseconds. */
  desiredMinTxUs: number;
  /** Required Min RX Interval, microseconds. */
  requiredMinRxUs: number;
  /** Required Min Echo RX Interval, microseconds (0: no Echo). */
  requiredMinEchoRxUs: number;
  /** The Authentication Section; present iff the A bit is set. */
  auth?: BfdAuth;
}

