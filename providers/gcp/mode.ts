/** What each GCP mode implements; GcpProvider (provider.ts) serialises and discovers around it. */
import type { ProviderRequest, StatusReport } from '../../src/ports/vip-provider.js';
import type { CallRequest } from '../common/cloud-call.js';

export interface GcpMode {
  /** What the mode moves, for messages: "alias range 198.51.100.10/32 on nic0 of vipd-a". */
  describe(): string;
  /** Every named resource exists (permissions are tested by the provider). */
  preflight(req: CallRequest): Promise<void>;
  status(req: CallRequest): Promise<StatusReport>;
  acquire(req: ProviderRequest): Promise<void>;
  release(req: ProviderRequest): Promise<void>;
}
