# Inputs of the aws-vip-pair module: first the AWS ones, then vipd's own (passed on to
# ../vipd-node-config). README.md beside this file says how each one lands in vipd's
# configuration (/etc/vipd/vipd.yaml on each node).

variable "name" {
  description = "Prefix of every name, and of the node ids: the members are NAME-a and NAME-b, the witness NAME-witness (the certificates must be issued for these ids). 1-37 characters of a-z, 0-9 and \"-\" (the IAM name prefix allows 38 with its \"-\")."
  type        = string
  default     = "vipd"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,35}[a-z0-9])?$", var.name))
    error_message = "name must be 1-37 characters of a-z, 0-9 and \"-\", starting with a letter and not ending with \"-\"."
  }
}

variable "member_subnet_ids" {
  description = "Subnets of the two members, [a, b]. Mode eip: two subnets in two availability zones. Mode secondary-ip: the same subnet twice (a secondary private IP can only move between interfaces of one subnet, and a subnet lies in one zone)."
  type        = list(string)

  validation {
    condition     = length(var.member_subnet_ids) == 2 && alltrue([for s in var.member_subnet_ids : can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", s))])
    error_message = "member_subnet_ids must be two subnet ids (subnet- and 8 or 17 hex digits)."
  }
}

variable "witness_subnet_id" {
  description = "Subnet of the witness, in a third availability zone: a witness in a member's zone is lost with that zone, and the other member is then left without a majority."
  type        = string

  validation {
    condition     = can(regex("^subnet-[0-9a-f]{8}([0-9a-f]{9})?$", var.witness_subnet_id))
    error_message = "witness_subnet_id must be a subnet id (subnet- and 8 or 17 hex digits)."
  }
}

variable "allow_witness_in_member_zone" {
  description = "Allow the witness in the zone of a member (regions with two zones). Losing that zone then stops the pair: the surviving member has no majority and will not take the VIP."
  type        = bool
  default     = false
}

variable "vip_mode" {
  description = "How the VIP moves (the aws provider's mode): eip (an Elastic IP this module allocates, AssociateAddress) or secondary-ip (secondary_ip as a secondary private address of the holder's interface, AssignPrivateIpAddresses, bound on vip_interface)."
  type        = string
  default     = "eip"

  validation {
    condition     = contains(["eip", "secondary-ip"], var.vip_mode)
    error_message = "vip_mode must be \"eip\" or \"secondary-ip\"."
  }
}

variable "secondary_ip" {
  description = "Mode secondary-ip: the VIP, a free IPv4 address of the members' subnet (not a node's own address). Required in that mode, null otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.secondary_ip == null || can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.secondary_ip))
    error_message = "secondary_ip must be an IPv4 address in dotted form, without a prefix."
  }
}

variable "secondary_ip_reservation_cidr" {
  description = "Mode secondary-ip, optional: a CIDR block of the members' subnet that contains secondary_ip, reserved explicitly (aws_ec2_subnet_cidr_reservation) so that EC2 never gives an address of it to a new interface. null: no reservation; then pick an address nothing else will be given."
  type        = string
  default     = null

  validation {
    condition     = var.secondary_ip_reservation_cidr == null || can(regex("^[0-9.]+/[0-9]+$", var.secondary_ip_reservation_cidr)) && can(cidrhost(var.secondary_ip_reservation_cidr, 0))
    error_message = "secondary_ip_reservation_cidr must be an IPv4 CIDR block such as 192.0.2.48/28."
  }
}

variable "architecture" {
  description = "CPU architecture of the three instances and of the vipd package: amd64 (x86_64 instance types) or arm64 (Graviton, e.g. t4g)."
  type        = string
  default     = "amd64"

  validation {
    condition     = contains(["amd64", "arm64"], var.architecture)
    error_message = "architecture must be \"amd64\" or \"arm64\"."
  }
}

variable "member_instance_type" {
  description = "EC2 instance type of the two members."
  type        = string
  default     = "t3.micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.member_instance_type))
    error_message = "member_instance_type must be an EC2 instance type such as t3.micro."
  }
}

variable "witness_instance_type" {
  description = "EC2 instance type of the witness (it only votes: the smallest type will do)."
  type        = string
  default     = "t3.nano"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", var.witness_instance_type))
    error_message = "witness_instance_type must be an EC2 instance type such as t3.nano."
  }
}

variable "ami_id" {
  description = "AMI of the three instances; null: the newest Debian 13 AMI of architecture, from Debian's own account. Changing it later does not replace running instances (ignore_changes)."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8}([0-9a-f]{9})?$", var.ami_id))
    error_message = "ami_id must be an AMI id (ami- and 8 or 17 hex digits) or null."
  }
}

variable "key_name" {
  description = "EC2 key pair for SSH, or null for none. SSH is reachable only from ssh_ingress_cidrs."
  type        = string
  default     = null

  validation {
    condition     = var.key_name == null || can(regex("^.{1,255}$", var.key_name))
    error_message = "key_name must be 1-255 characters or null."
  }
}

variable "ssh_ingress_cidrs" {
  description = "IPv4 CIDR blocks that may reach TCP 22 on the three nodes. Default none: SSH is closed. The only ingress this module opens to addresses outside the pair."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ssh_ingress_cidrs : can(regex("^[0-9.]+/[0-9]+$", c)) && can(cidrhost(c, 0))])
    error_message = "ssh_ingress_cidrs must be IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}

variable "egress_cidrs" {
  description = "IPv4 CIDR blocks the nodes may reach on TCP 443 (the EC2 API for vipd, the package URL, the Debian mirror) and TCP 80 (apt, whose packages are signed). Narrow it to a VPC endpoint's, a mirror's or a proxy's range if you have them."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = alltrue([for c in var.egress_cidrs : can(regex("^[0-9.]+/[0-9]+$", c)) && can(cidrhost(c, 0))])
    error_message = "egress_cidrs must be IPv4 CIDR blocks."
  }
}

variable "additional_security_group_ids" {
  description = "More security groups for the members' interfaces: the service behind the VIP (this module opens only vipd's own ports)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for g in var.additional_security_group_ids : can(regex("^sg-[0-9a-f]{8}([0-9a-f]{9})?$", g))])
    error_message = "additional_security_group_ids must be security group ids (sg- and 8 or 17 hex digits)."
  }
}

variable "tags" {
  description = "Tags for every resource this module creates."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# vipd's own settings, the package and the secrets: passed on unchanged to ../vipd-node-config
# (main.tf, module "node_config"), whose variables.tf describes and validates each under the
# same name. A bad value fails at plan time with that module's message.

variable "cluster_id" {
  description = "vipd cluster_id, as in vipd certs init --cluster; also the tag vipd:cluster on everything made here."
  type        = string
}

variable "vip_interface" {
  description = "The group's Linux interface (groups[].interface); secondary-ip binds the VIP there. ens5 on Nitro instances running Debian."
  type        = string
  default     = "ens5"
}

variable "vip_group_name" {
  description = "Name of the vipd group that holds the VIP; vipd's fence tags are vipd:fence:NAME:NODE."
  type        = string
  default     = "vip"
}

variable "vrid" {
  description = "The group's VRID (groups[].vrid), 1-255."
  type        = number
  default     = 51
}

variable "priorities" {
  description = "Priority of each member, 1-254: the higher one holds the VIP when both are up."
  type        = object({ a = number, b = number })
  default     = { a = 150, b = 100 }
}

variable "timing" {
  description = "vipd timing preset: lan (fine between the zones of one region) or wan."
  type        = string
  default     = "lan"
}

variable "grpc_port" {
  description = "TCP port of vipd's gRPC peer service (node.listen), open in the security group between the three nodes only."
  type        = number
  default     = 7946
}

variable "bfd_enabled" {
  description = "Run BFD between the nodes (bfd.enabled); the security group then opens the BFD port of bfd_mode between them."
  type        = bool
  default     = true
}

variable "bfd_mode" {
  description = "BFD mode (bfd.mode): multihop (UDP 4784) or single-hop (UDP 3784)."
  type        = string
  default     = "multihop"
}

variable "vipd_deb_url" {
  description = "https URL of the vipd Debian package, vipd_VERSION_ARCH.deb, for architecture (a precondition checks ARCH). Installed at first boot."
  type        = string
}

variable "vipd_deb_sha256" {
  description = "SHA-256 of the package at vipd_deb_url: a package that does not match is not installed."
  type        = string
}

variable "ca_certificate" {
  description = "The cluster CA certificate (PEM, ca.crt of vipd certs init)."
  type        = string
}

variable "tls_certificates" {
  description = "Each node's certificate (PEM, vipd certs issue NAME-a / NAME-b / NAME-witness)."
  type        = object({ a = string, b = string, witness = string })
}

variable "tls_private_keys" {
  description = "Each node's private key (PEM). Each goes only into its own node's user data; Terraform state and saved plans hold them (README, Secrets)."
  type        = object({ a = string, b = string, witness = string })
  sensitive   = true
}

variable "advert_key" {
  description = "The advert signing secret, the same on every node (base64 or hex, at least 16 bytes), in each node's user data."
  type        = string
  sensitive   = true
}

variable "advert_key_id" {
  description = "Id of the advert key (auth.keys[].id)."
  type        = string
  default     = "k1"
}
