/** The `aws` provider: Elastic IP, secondary private IP or route through EC2. See README.md. */
export { awsPlugin, createAwsProvider, type AwsProviderComponents } from './plugin.js';
export { AwsProvider, KEEP_WARM_MS } from './provider.js';
export { awsSchema, AWS_MODES, type AwsModeName } from './schema.js';
export type { AwsOptions } from './options.js';
export { EC2_ACTIONS, type Ec2Action } from './actions.js';
export { classifyAws } from './classify.js';
export { fenceTagKey } from './modes/mode.js';
