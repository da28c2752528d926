# Inputs of vipd-node-config. The variables a user sets on aws-vip-pair or gcp-vip-pair are
# described and validated here, once: those modules declare them too (Terraform has no variable
# inheritance) but pass them on unchanged under the same name, so a bad value fails at plan time
# with the message below. README.md beside this file says where each lands in vipd.yaml.

# ---------------------------------------------------------------------------------------------
# From the calling module: the pair it made

variable "node_ids" {
  description = "vipd node id of each node (node.id): the two members a and b, and the witness. The certificates in tls_certificates must be issued for these ids."
  type        = object({ a = string, b = string, witness = string })

  validation {
    condition     = alltrue([for id in [var.node_ids.a, var.node_ids.b, var.node_ids.witness] : can(regex("^[a-z0-9-]{1,63}$", id))]) && length(distinct([var.node_ids.a, var.node_ids.b, var.node_ids.witness])) == 3
    error_message = "node_ids.a, .b and .witness must be three different node ids of 1-63 characters of a-z, 0-9 and \"-\"."
  }
}

variable "node_addresses" {
  description = "Primary IPv4 address of each node (a, b, witness): its node.address and node.listen, and in the other two nodes' seeds."
  type        = object({ a = string, b = string, witness = string })

  validation {
    condition     = alltrue([for ip in [var.node_addresses.a, var.node_addresses.b, var.node_addresses.witness] : can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", ip))])
    error_message = "node_addresses.a, .b and .witness must be IPv4 addresses in dotted form."
  }
}

variable "vip" {
  description = "The VIP, an IPv4 address without a prefix: the group's vips is [VIP/32]."
  type        = string

  validation {
    condition     = can(regex("^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$", var.vip))
    error_message = "vip must be an IPv4 address in dotted form, without a prefix."
  }
}

variable "provider_type" {
  description = "The vipd provider of the group (groups[].provider.type), e.g. aws or gcp."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,31}$", var.provider_type))
    error_message = "provider_type must be a vipd provider type such as aws or gcp."
  }
}

variable "provider_options" {
  description = "Each member's provider options (a, b), as the provider's README names them (e.g. mode, eni_id): option name => a string or a list of strings. Each value is written as JSON, which YAML reads as it is (a quoted string, a flow list); an option that is null is left out, so a module passes the options of every mode and nulls those its mode does not use."
  type        = map(any)

  validation {
    condition     = length(var.provider_options) == 2 && alltrue([for k, options in var.provider_options : contains(["a", "b"], k) && alltrue([for option in keys(options) : can(regex("^[a-z][a-z0-9_]*$", option))])])
    error_message = "provider_options must have the keys a and b, each a map of option names (a-z, 0-9, \"_\") to values."
  }
}

# ---------------------------------------------------------------------------------------------
# Set by the user on aws-vip-pair / gcp-vip-pair and passed on unchanged

variable "cluster_id" {
  description = "vipd cluster_id, the same on every node and in the certificates (vipd certs init --cluster)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,63}$", var.cluster_id))
    error_message = "cluster_id must be 1-63 characters of a-z, 0-9 and \"-\" (docs/configuration.md)."
  }
}

variable "grpc_port" {
  description = "TCP port of vipd's gRPC peer service (node.listen, and the port of every seed), to be open between the three nodes only. vipd's default is 7946."
  type        = number

  validation {
    condition     = var.grpc_port >= 1024 && var.grpc_port <= 65535 && floor(var.grpc_port) == var.grpc_port && !contains([3784, 4784], var.grpc_port)
    error_message = "grpc_port must be an integer 1024-65535 and not a BFD port (3784, 4784)."
  }
}

variable "timing" {
  description = "vipd timing preset: lan (100 ms adverts; fine between the zones of one region) or wan (1 s)."
  type        = string

  validation {
    condition     = contains(["lan", "wan"], var.timing)
    error_message = "timing must be \"lan\" or \"wan\"."
  }
}

variable "bfd_enabled" {
  description = "Run BFD between the nodes (vipd bfd.enabled): a dead master's host is seen in tens of milliseconds. peer_ports then holds the BFD port of bfd_mode."
  type        = bool
}

variable "bfd_mode" {
  description = "BFD mode (vipd bfd.mode): multihop (UDP 4784, any TTL: it makes no assumption about the cloud network between the zones) or single-hop (UDP 3784, TTL 255 checked)."
  type        = string

  validation {
    condition     = contains(["single-hop", "multihop"], var.bfd_mode)
    error_message = "bfd_mode must be \"single-hop\" or \"multihop\"."
  }
}

variable "vip_group_name" {
  description = "Name of the vipd group that holds the VIP (groups[].name); the provider names its fence record after it."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,63}$", var.vip_group_name))
    error_message = "vip_group_name must be 1-63 characters of a-z, 0-9 and \"-\"."
  }
}

variable "vrid" {
  description = "The group's VRID (groups[].vrid), 1-255; unique among the groups of the cluster."
  type        = number

  validation {
    condition     = var.vrid >= 1 && var.vrid <= 255 && floor(var.vrid) == var.vrid
    error_message = "vrid must be an integer 1-255."
  }
}

variable "vip_interface" {
  description = "The Linux interface of the group (groups[].interface)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,14}$", var.vip_interface)) && !contains([".", ".."], var.vip_interface)
    error_message = "vip_interface must be a Linux interface name: 1-15 characters, no \"/\", \":\" or whitespace, not starting with \"-\"."
  }
}

variable "priorities" {
  description = "Priority of each member (groups[].priority), 1-254: the higher one holds the VIP when both are up (equal: the higher address wins)."
  type        = object({ a = number, b = number })

  validation {
    condition     = alltrue([for p in [var.priorities.a, var.priorities.b] : p >= 1 && p <= 254 && floor(p) == p])
    error_message = "priorities must be integers 1-254 (255 means the address owner, which a moving VIP has not)."
  }
}

variable "vipd_deb_url" {
  description = "https URL of the vipd Debian package, vipd_VERSION_ARCH.deb (deploy/debian/build.sh), for the nodes' architecture. The boot script installs it after its SHA-256 is checked."
  type        = string

  validation {
    condition     = can(regex("^https://[A-Za-z0-9._~:/?#@!$&()*+,;=%-]+/vipd_[0-9][A-Za-z0-9.+~-]*_(amd64|arm64)\\.deb$", var.vipd_deb_url))
    error_message = "vipd_deb_url must be an https URL ending in /vipd_VERSION_ARCH.deb (ARCH amd64 or arm64), without quotes or spaces."
  }
}

variable "vipd_deb_sha256" {
  description = "SHA-256 of the package at vipd_deb_url (sha256sum vipd_VERSION_ARCH.deb): a package that does not match is not installed."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{64}$", var.vipd_deb_sha256))
    error_message = "vipd_deb_sha256 must be 64 lower-case hex digits."
  }
}

variable "ca_certificate" {
  description = "The cluster CA certificate (PEM, ca.crt of vipd certs init). Public; the CA key never goes to Terraform or to a node."
  type        = string

  validation {
    condition     = can(regex("^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----$", trimspace(var.ca_certificate)))
    error_message = "ca_certificate must be one PEM certificate."
  }
}

variable "tls_certificates" {
  description = "Each node's certificate (PEM, vipd certs issue), for the id in node_ids: a, b, witness."
  type        = object({ a = string, b = string, witness = string })

  validation {
    condition     = alltrue([for c in [var.tls_certificates.a, var.tls_certificates.b, var.tls_certificates.witness] : can(regex("^-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\\s]+-----END CERTIFICATE-----$", trimspace(c)))])
    error_message = "tls_certificates.a, .b and .witness must each be one PEM certificate."
  }
}

variable "tls_private_keys" {
  description = "Each node's private key (PEM, from vipd certs issue): a, b, witness. Each goes only into its own node's boot script; Terraform state and saved plans hold them (aws-vip-pair's and gcp-vip-pair's README, Secrets)."
  type        = object({ a = string, b = string, witness = string })
  sensitive   = true

  validation {
    condition     = alltrue([for k in [var.tls_private_keys.a, var.tls_private_keys.b, var.tls_private_keys.witness] : can(regex("^-----BEGIN [A-Z ]*PRIVATE KEY-----[A-Za-z0-9+/=\\s]+-----END [A-Z ]*PRIVATE KEY-----$", trimspace(k)))])
    error_message = "tls_private_keys.a, .b and .witness must each be one unencrypted PEM private key."
  }
}

variable "advert_key" {
  description = "The advert signing secret, the same on every node (head -c 32 /dev/urandom | base64): base64 or hex, at least 16 bytes decoded."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^[A-Za-z0-9+/=]{24,1024}$", trimspace(var.advert_key)))
    error_message = "advert_key must be base64 or hex text of at least 16 bytes, without whitespace inside."
  }
}

variable "advert_key_id" {
  description = "Id of the advert key (auth.keys[].id and auth.active_key)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9-]{1,63}$", var.advert_key_id))
    error_message = "advert_key_id must be 1-63 characters of a-z, 0-9 and \"-\"."
  }
}
