/**
 * The AWS SDK, loaded on first use: @aws-sdk/client-ec2 takes about 2 s to load here, and the
 * configuration code (and its tests) import every provider plugin to build the schema. So only
 * building a session (validate, the first call) loads it; `ec2()` is for after that.
 */
type Ec2Module = typeof import('@aws-sdk/client-ec2');
type HandlerModule = typeof import('@smithy/node-http-handler');

let loaded: { ec2: Ec2Module; handler: HandlerModule } | undefined;
let loading: Promise<{ ec2: Ec2Module; handler: HandlerModule }> | undefined;

export function loadSdk(): Promise<{ ec2: Ec2Module; handler: HandlerModule }> {
  loading ??= Promise.all([import('@aws-sdk/client-ec2'), import('@smithy/node-http-handler')]).then(([ec2, handler]) => (loaded = { ec2, handler }));
  return loading;
}

/** The EC2 module; only after loadSdk() resolved (Ec2Session.ready awaits it). */
export function ec2(): Ec2Module {
  if (!loaded) throw new Error('the AWS SDK is used before Ec2Session.ready() loaded it');
  return loaded.ec2;
}

export function httpHandlerModule(): HandlerModule {
  if (!loaded) throw new Error('the AWS SDK is used before Ec2Session.ready() loaded it');
  return loaded.handler;
}
