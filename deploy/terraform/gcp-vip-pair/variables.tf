# Inputs of the gcp-vip-pair module: first the GCP ones, then vipd's own (passed on to
# ../vipd-node-config). README.md beside this file says how each one lands in vipd's
# configuration (/etc/vipd/vipd.yaml on each node).

variable "project_id" {
  description = "The GCP project of the pair (and of its custom role and service accounts)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id: 6-30 characters of a-z, 0-9 and \"-\", a letter first."
  }
}

variable "region" {
  description = "Region of the pair: the subnetwork, the addresses and the three zones are in it."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a region such as europe-west1."
  }
}

variable "name" {
  description = "Prefix of every name, and the node ids: the members are NAME-a and NAME-b, the witness NAME-witness (instance names too; the certificates must be issued for these ids). 1-20 characters of a-z, 0-9 and \"-\" (service account ids take at most 30)."
  type        = string
  default     = "vipd"

  validation {
    condition     = can(regex("^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$", var.name))
    error_message = "name must be 1-20 characters of a-z, 0-9 and \"-\", starting with a letter and not ending with \"-\"."
  }
}

variable "network" {
  description = "VPC network of the subnetwork (name or self link): the firewall rules go there."
  type        = string

  validation {
    condition     = length(var.network) > 0
    error_message = "network must be a network name or self link."
  }
}

variable "subnetwork" {
  description = "Subnetwork of the three nodes (name or self link), in region. Subnetworks are regional, so one serves all three zones, and an alias IP can move between the members."
  type        = string

  validation {
    condition     = length(var.subnetwork) > 0
    error_message = "subnetwork must be a subnetwork name or self link."
  }
}

variable "member_zones" {
  description = "Zones of the two members, [a, b]: two different zones of region."
  type        = list(string)

  validation {
    condition     = length(var.member_zones) == 2 && alltrue([for z in var.member_zones : can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", z))])
    error_message = "member_zones must be two zones such as europe-west1-b."
  }
}

variable "witness_zone" {
  description = "Zone of the witness, a third zone of region: a witness in a member's zone is lost with it, and the other member is then left without a majority."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", var.witness_zone))
    error_message = "witness_zone must be a zone such as europe-west1-d."
  }
}

variable "allow_witness_in_member_zone" {
  description = "Allow the witness in the zone of a member. Losing that zone then stops the pair: the surviving member has no majority and will not take the VIP."
  type        = bool
  default     = false
}

variable "vip_mode" {
  description = "How the VIP moves (the gcp provider's mode): alias-ip (alias_ip as an alias IP range of the holder's nic0) or external-ip (a static external address this module reserves, through access configs)."
  type        = string
  default     = "alias-ip"

  validation {
    condition     = contains(["alias-ip", "external-ip"], var.vip_mode)
    error_message = "vip_mode must be \"alias-ip\" or \"external-ip\"."
  }
}

variable "alias_ip" {
  description = "Mode alias-ip: the VIP, an IPv4 address of the subnetwork's primary range or of alias_subnetwork_range_name that nothing else uses. Required in that mode, null otherwise."
  type        = string
  default     = null

  validation {
    condition     = var.alias_ip == null || can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.alias_ip))
    error_message = "alias_ip must be an IPv4 address in dotted form, without a prefix."
  }
}

variable "alias_subnetwork_range_name" {
  description = "Mode alias-ip, optional: the subnetwork's secondary range alias_ip comes from (vipd subnetwork_range_name). A secondary range kept for VIPs is never handed to a VM's primary address; null: the primary range."
  type        = string
  default     = null

  validation {
    condition     = var.alias_subnetwork_range_name == null || can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.alias_subnetwork_range_name))
    error_message = "alias_subnetwork_range_name must be a range name (1-63 characters of a-z, 0-9 and \"-\") or null."
  }
}

variable "member_machine_type" {
  description = "Machine type of the two members."
  type        = string
  default     = "e2-small"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", var.member_machine_type))
    error_message = "member_machine_type must be a machine type such as e2-small."
  }
}

variable "witness_machine_type" {
  description = "Machine type of the witness (it only votes: the smallest type will do)."
  type        = string
  default     = "e2-micro"

  validation {
    condition     = can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", var.witness_machine_type))
    error_message = "witness_machine_type must be a machine type such as e2-micro."
  }
}

variable "image" {
  description = "Boot image of the three instances (an image or family, project/name). Its architecture must be that of vipd_deb_url. Changing it later does not replace running instances (ignore_changes)."
  type        = string
  default     = "debian-cloud/debian-13"

  validation {
    condition     = can(regex("^[a-z][-a-z0-9.]*/[a-z][-a-z0-9]*$", var.image)) || startswith(var.image, "https://") || startswith(var.image, "projects/")
    error_message = "image must be project/image-or-family (e.g. debian-cloud/debian-13) or a self link."
  }
}

variable "ssh_source_ranges" {
  description = "IPv4 CIDR blocks that may reach TCP 22 on the three nodes. Default none: SSH is closed. The only ingress this module opens to addresses outside the pair."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ssh_source_ranges : can(regex("^[0-9.]+/[0-9]+$", c)) && can(cidrhost(c, 0))])
    error_message = "ssh_source_ranges must be IPv4 CIDR blocks such as 203.0.113.0/24."
  }
}

variable "labels" {
  description = "Labels for the three instances."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------
# vipd's own settings, the package and the secrets: passed on unchanged to ../vipd-node-config
# (main.tf, module "node_config"), whose variables.tf describes and validates each under the
# same name. A bad value fails at plan time with that module's message.

variable "cluster_id" {
  description = "vipd cluster_id, as in vipd certs init --cluster; also in the description of the accounts, addresses and rules made here."
  type        = string
}

variable "vip_interface" {
  description = "The group's Linux interface (groups[].interface): ens4 on Debian images. The guest agent routes an alias IP there by itself."
  type        = string
  default     = "ens4"
}

variable "vip_group_name" {
  description = "Name of the vipd group that holds the VIP; vipd's fence record is the instance metadata key vipd-fence-NAME."
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
  description = "TCP port of vipd's gRPC peer service (node.listen), opened by firewall rule between the three nodes' service accounts only."
  type        = number
  default     = 7946
}

variable "bfd_enabled" {
  description = "Run BFD between the nodes (bfd.enabled); a firewall rule then opens the BFD port of bfd_mode between them."
  type        = bool
  default     = true
}

variable "bfd_mode" {
  description = "BFD mode (bfd.mode): multihop (UDP 4784) or single-hop (UDP 3784)."
  type        = string
  default     = "multihop"
}

variable "vipd_deb_url" {
  description = "https URL of the vipd Debian package, vipd_VERSION_ARCH.deb, for the image's architecture. Installed at boot."
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
  description = "Each node's private key (PEM). Each goes only into its own instance's startup-script metadata; Terraform state holds them (README, Secrets)."
  type        = object({ a = string, b = string, witness = string })
  sensitive   = true
}

variable "advert_key" {
  description = "The advert signing secret, the same on every node (base64 or hex, at least 16 bytes), in each instance's startup-script metadata."
  type        = string
  sensitive   = true
}

variable "advert_key_id" {
  description = "Id of the advert key (auth.keys[].id)."
  type        = string
  default     = "k1"
}
