/**
 * The Compute Engine v1 methods the fake serves: API method name -> handler
 * (instances-api.ts, resources-api.ts; shared checks in api-context.ts).
 */
import type { Handler } from './api-context.js';
import { addAccessConfig, deleteAccessConfig, instancesAggregatedList, instancesGet, instancesList, setMetadata, updateNetworkInterface } from './instances-api.js';
import {
  addressesGet,
  addressesList,
  networksGet,
  operationsGet,
  operationsList,
  operationsWait,
  projectsGet,
  routesDelete,
  routesGet,
  routesInsert,
  routesList,
  testIamPermissions,
} from './resources-api.js';

export type { ApiContext, Call } from './api-context.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  'instances.get': instancesGet,
  'instances.list': instancesList,
  'instances.aggregatedList': instancesAggregatedList,
  'instances.updateNetworkInterface': updateNetworkInterface,
  'instances.addAccessConfig': addAccessConfig,
  'instances.deleteAccessConfig': deleteAccessConfig,
  'instances.testIamPermissions': testIamPermissions,
  'instances.setMetadata': setMetadata,
  'networks.get': networksGet,
  'addresses.get': addressesGet,
  'addresses.list': addressesList,
  'addresses.testIamPermissions': testIamPermissions,
  'routes.get': routesGet,
  'routes.list': routesList,
  'routes.insert': routesInsert,
  'routes.delete': routesDelete,
  'routes.testIamPermissions': testIamPermissions,
  'zoneOperations.get': operationsGet,
  'zoneOperations.list': operationsList,
  'zoneOperations.wait': operationsWait,
  'globalOperations.get': operationsGet,
  'globalOperations.list': operationsList,
  'globalOperations.wait': operationsWait,
  'regionOperations.get': operationsGet,
  'regionOperations.wait': operationsWait,
  'projects.get': projectsGet,
};
