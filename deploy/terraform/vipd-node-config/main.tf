# The vipd configuration of a pair's three nodes (members a and b, and a witness) and the boot
# script that installs vipd with it: the part of aws-vip-pair and gcp-vip-pair that does not
# depend on the cloud. It makes no resources and needs no provider. The calling module passes
# what it made (node ids, addresses, the VIP) and its provider's options as data; README.md
# beside this file maps each input to vipd.yaml.

locals {
  nodes = ["a", "b", "witness"]
  # Each member's peer is the other member; the witness votes in the group and holds no VIP.
  peers = { a = "b", b = "a" }

  # seeds: the two other nodes, host:port.
  seeds = { for k in local.nodes : k => join(", ", [for other in local.nodes : "${var.node_addresses[other]}:${var.grpc_port}" if other != k]) }

  # Each member's provider options as YAML values: JSON is YAML, so a string is written quoted and
  # a list as a flow sequence. A null option is left out (an option of another vip_mode).
  provider_options = { for k, options in var.provider_options : k => { for option, value in options : option => jsonencode(value) if value != null } }

  # vipd's ports between the three nodes: gRPC, and the BFD port of bfd_mode (RFC 5881 single-hop
  # 3784, RFC 5883 multihop 4784).
  peer_ports = merge(
    { grpc = { protocol = "tcp", port = var.grpc_port } },
    var.bfd_enabled ? { bfd = { protocol = "udp", port = var.bfd_mode == "single-hop" ? 3784 : 4784 } } : {},
  )

  member_configs = {
    for k, peer in local.peers : k => templatefile("${path.module}/templates/vipd-member.yaml.tftpl", {
      cluster_id       = var.cluster_id
      node_id          = var.node_ids[k]
      node_address     = var.node_addresses[k]
      grpc_port        = var.grpc_port
      seeds            = local.seeds[k]
      timing           = var.timing
      bfd_enabled      = var.bfd_enabled
      bfd_mode         = var.bfd_mode
      advert_key_id    = var.advert_key_id
      group_name       = var.vip_group_name
      vrid             = var.vrid
      interface        = var.vip_interface
      priority         = var.priorities[k]
      vip              = var.vip
      peer_id          = var.node_ids[peer]
      witness_id       = var.node_ids.witness
      provider_type    = var.provider_type
      provider_options = local.provider_options[k]
    })
  }

  witness_config = templatefile("${path.module}/templates/vipd-witness.yaml.tftpl", {
    cluster_id    = var.cluster_id
    node_id       = var.node_ids.witness
    node_address  = var.node_addresses.witness
    grpc_port     = var.grpc_port
    seeds         = local.seeds.witness
    timing        = var.timing
    bfd_enabled   = var.bfd_enabled
    bfd_mode      = var.bfd_mode
    advert_key_id = var.advert_key_id
    allow         = "${var.node_ids.a}, ${var.node_ids.b}"
  })

  vipd_configs = merge(local.member_configs, { witness = local.witness_config })

  # Each node's script: EC2 user data or the GCE startup-script. A node's key goes into its own
  # script only.
  boot_scripts = {
    for k in local.nodes : k => templatefile("${path.module}/templates/boot-script.sh.tftpl", {
      vipd_deb_url     = var.vipd_deb_url
      vipd_deb_sha256  = var.vipd_deb_sha256
      vipd_yaml        = local.vipd_configs[k]
      ca_certificate   = trimspace(var.ca_certificate)
      node_certificate = trimspace(var.tls_certificates[k])
      node_private_key = trimspace(var.tls_private_keys[k])
      advert_key       = trimspace(var.advert_key)
    })
  }
}
