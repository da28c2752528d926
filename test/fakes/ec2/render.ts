/**
 * How the fake's state reads in EC2 responses: the members and lowerCamel XML names of the
 * EC2 API reference's data types (Address, NetworkInterface, Instance, RouteTable, Route,
 * TagDescription), which is what @aws-sdk/client-ec2's deserializer and the CLI look for.
 */
import type { XmlObject } from './xml.js';
import { ACCOUNT_ID, addressOnPrivateIp, tagSet, type AddressState, type EniState, type InstanceState, type RouteTableState, type WorldState } from './world.js';

/** One fixed attach time: the fake's instances "launched" at a documented-looking instant. */
export const LAUNCH_TIME = '2026-01-01T00:00:00.000Z';

const tagsXml = (w: WorldState, id: string): XmlObject[] => tagSet(w, id);

const privateDns = (ip: string, region: string): string =>
  `ip-${ip.replace(/\./g, '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}`;

export function addressXml(w: WorldState, a: AddressState, region: string): XmlObject {
  const assoc = a.association;
  const eni = assoc ? w.enis[assoc.eniId] : undefined;
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: 'vpc',
    instanceId: eni?.instanceId,
    associationId: assoc?.associationId,
    networkInterfaceId: assoc?.eniId,
    networkInterfaceOwnerId: assoc ? ACCOUNT_ID : undefined,
    privateIpAddress: assoc?.privateIp,
    tagSet: tagsXml(w, a.allocationId),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: region,
  };
}

function ipAssociation(w: WorldState, e: EniState, ip: string): XmlObject | undefined {
  const a = addressOnPrivateIp(w, e.eniId, ip);
  if (!a) return undefined;
  return { publicIp: a.publicIp, publicDnsName: '', ipOwnerId: ACCOUNT_ID, allocationId: a.allocationId, associationId: a.association!.associationId };
}

export function eniXml(w: WorldState, e: EniState, region: string): XmlObject {
  return {
    networkInterfaceId: e.eniId,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    availabilityZone: e.az,
    description: '',
    ownerId: ACCOUNT_ID,
    requesterManaged: false,
    status: e.instanceId ? 'in-use' : 'available',
    macAddress: e.mac,
    privateIpAddress: e.privateIps[0],
    privateDnsName: privateDns(e.privateIps[0]!, region),
    sourceDestCheck: true,
    groupSet: [],
    attachment: e.instanceId
      ? {
        attachmentId: e.attachmentId,
        instanceId: e.instanceId,
        instanceOwnerId: ACCOUNT_ID,
        deviceIndex: e.deviceIndex,
        status: 'attached',
        attachTime: LAUNCH_TIME,
        deleteOnTermination: e.deviceIndex === 0,
        networkCardIndex: 0,
      }
      : undefined,
    association: ipAssociation(w, e, e.privateIps[0]!),
    tagSet: tagsXml(w, e.eniId),
    privateIpAddressesSet: e.privateIps.map((ip, i) => ({
      privateIpAddress: ip,
      privateDnsName: privateDns(ip, region),
      primary: i === 0,
      association: ipAssociation(w, e, ip),
    })),
    ipv6AddressesSet: [],
    interfaceType: 'interface',
  };
}

export function instanceXml(w: WorldState, inst: InstanceState, region: string): XmlObject {
  const enis = inst.eniIds.map((id) => w.enis[id]!).sort((a, b) => a.deviceIndex - b.deviceIndex);
  const primary = enis[0];
  return {
    instanceId: inst.instanceId,
    imageId: 'ami-0fa4e00000000000f',
    instanceState: { code: 16, name: 'running' },
    privateDnsName: primary ? privateDns(primary.privateIps[0]!, region) : '',
    dnsName: '',
    instanceType: 't3.micro',
    launchTime: LAUNCH_TIME,
    placement: { availabilityZone: inst.az, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: primary?.subnetId,
    vpcId: primary?.vpcId,
    privateIpAddress: primary?.privateIps[0],
    ipAddress: primary ? addressOnPrivateIp(w, primary.eniId, primary.privateIps[0]!)?.publicIp : undefined,
    sourceDestCheck: true,
    groupSet: [],
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    virtualizationType: 'hvm',
    tagSet: tagsXml(w, inst.instanceId),
    networkInterfaceSet: enis.map((e) => {
      const assoc = ipAssociation(w, e, e.privateIps[0]!);
      return {
        networkInterfaceId: e.eniId,
        subnetId: e.subnetId,
        vpcId: e.vpcId,
        description: '',
        ownerId: ACCOUNT_ID,
        status: 'in-use',
        macAddress: e.mac,
        privateIpAddress: e.privateIps[0],
        privateDnsName: privateDns(e.privateIps[0]!, region),
        sourceDestCheck: true,
        groupSet: [],
        attachment: { attachmentId: e.attachmentId, deviceIndex: e.deviceIndex, status: 'attached', attachTime: LAUNCH_TIME, deleteOnTermination: e.deviceIndex === 0, networkCardIndex: 0 },
        association: assoc ? { publicIp: assoc.publicIp, publicDnsName: '', ipOwnerId: ACCOUNT_ID } : undefined,
        privateIpAddressesSet: e.privateIps.map((ip, i) => {
          const a = ipAssociation(w, e, ip);
          return { privateIpAddress: ip, privateDnsName: privateDns(ip, region), primary: i === 0, association: a ? { publicIp: a.publicIp, publicDnsName: '', ipOwnerId: ACCOUNT_ID } : undefined };
        }),
        ipv6AddressesSet: [],
        interfaceType: 'interface',
      };
    }),
  };
}

export function routeTableXml(w: WorldState, rt: RouteTableState): XmlObject {
  return {
    routeTableId: rt.routeTableId,
    vpcId: rt.vpcId,
    ownerId: ACCOUNT_ID,
    routeSet: rt.routes.map((r) => {
      const eni = r.eniId ? w.enis[r.eniId] : undefined;
      return {
        destinationCidrBlock: r.ipv6 ? undefined : r.cidr,
        destinationIpv6CidrBlock: r.ipv6 ? r.cidr : undefined,
        gatewayId: r.eniId === undefined ? 'local' : undefined,
        instanceId: eni?.instanceId,
        instanceOwnerId: eni?.instanceId ? ACCOUNT_ID : undefined,
        networkInterfaceId: r.eniId,
        state: r.eniId === undefined || eni ? 'active' : 'blackhole',
        origin: r.origin,
      };
    }),
    associationSet: [],
    propagatingVgwSet: [],
    tagSet: tagsXml(w, rt.routeTableId),
  };
}
