output "node_ids" {
  description = "vipd node id of each node (a, b, witness): the names the certificates are issued for."
  value       = local.node_ids
}

output "instance_ids" {
  description = "EC2 instance id of each node (a, b, witness)."
  value = {
    a       = aws_instance.member["a"].id
    b       = aws_instance.member["b"].id
    witness = aws_instance.witness.id
  }
}

output "vipd_configs" {
  description = "The /etc/vipd/vipd.yaml of each node (a, b, witness), from ../vipd-node-config. The instances ignore later changes to their user data: a change here shows in the plan and reaches a node when it is replaced (README, \"Changes\")."
  value       = module.node_config.vipd_configs
}

output "private_ips" {
  description = "Private IPv4 address of each node (a, b, witness): node.address and node.listen in its vipd.yaml."
  value       = local.node_ips
}

output "network_interface_ids" {
  description = "Primary ENI of each member (a, b): vipd's eni_id, and where secondary-ip puts the VIP."
  value       = { for k, eni in aws_network_interface.member : k => eni.id }
}

output "vip" {
  description = "The VIP: the Elastic IP's public address (eip) or secondary_ip (secondary-ip)."
  value       = local.vip
}

output "eip_allocation_id" {
  description = "The Elastic IP allocation (vipd allocation_id), or null in mode secondary-ip."
  value       = local.eip_mode ? aws_eip.vip[0].allocation_id : null
}

output "security_group_id" {
  description = "The security group of the three nodes (vipd's ports between them only)."
  value       = aws_security_group.vipd.id
}

output "role_arn" {
  description = "ARN of the members' instance role (deploy/aws/iam-policy.json, scoped to this pair)."
  value       = aws_iam_role.vipd.arn
}

output "instance_profile_name" {
  description = "The members' instance profile."
  value       = aws_iam_instance_profile.vipd.name
}
