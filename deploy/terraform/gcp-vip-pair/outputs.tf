output "node_ids" {
  description = "vipd node id of each node (a, b, witness): the instance names, and the names the certificates are issued for."
  value       = local.node_ids
}

output "instance_ids" {
  description = "Compute Engine instance id of each node (a, b, witness)."
  value = {
    a       = google_compute_instance.member["a"].instance_id
    b       = google_compute_instance.member["b"].instance_id
    witness = google_compute_instance.witness.instance_id
  }
}

output "instance_self_links" {
  description = "Self link of each node's instance (a, b, witness)."
  value = {
    a       = google_compute_instance.member["a"].self_link
    b       = google_compute_instance.member["b"].self_link
    witness = google_compute_instance.witness.self_link
  }
}

output "vipd_configs" {
  description = "The /etc/vipd/vipd.yaml of each node (a, b, witness), from ../vipd-node-config. The instances ignore later changes to their startup script: a change here shows in the plan and reaches a node when it is replaced (README, \"Changes\")."
  value       = module.node_config.vipd_configs
}

output "private_ips" {
  description = "Internal IPv4 address of each node (a, b, witness): node.address and node.listen in its vipd.yaml."
  value       = local.node_ips
}

output "vip" {
  description = "The VIP: alias_ip (alias-ip) or the static external address (external-ip)."
  value       = local.vip
}

output "external_address_name" {
  description = "Name of the static external address (vipd address), or null in mode alias-ip."
  value       = local.external_mode ? google_compute_address.vip[0].name : null
}

output "service_account_email" {
  description = "The members' service account (the custom role's only holder)."
  value       = google_service_account.vipd.email
}

output "custom_role_id" {
  description = "The custom role (deploy/gcp/vipd-role.yaml), projects/PROJECT/roles/ID."
  value       = google_project_iam_custom_role.vipd.id
}

output "firewall_rule_names" {
  description = "The firewall rules this module made (vipd's ports between the nodes; SSH if asked)."
  value       = concat([for f in google_compute_firewall.peer : f.name], [for f in google_compute_firewall.ssh : f.name])
}
