output "boot_scripts" {
  description = "Each node's boot script (a, b, witness): installs the package, writes /etc/vipd (vipd.yaml, the certificates, the keys) and starts vipd.service. EC2 user data, or the GCE startup-script metadata. Sensitive: it holds the node's private key and the advert key."
  value       = local.boot_scripts
  sensitive   = true
}

output "vipd_configs" {
  description = "Each node's /etc/vipd/vipd.yaml (a, b, witness), as its boot script writes it. No secrets: it names the key files."
  value       = local.vipd_configs
}

output "peer_ports" {
  description = "vipd's ports the three nodes must reach on each other, by name (grpc; bfd when bfd_enabled): { protocol = tcp or udp, port }."
  value       = local.peer_ports
}
