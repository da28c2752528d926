# A vipd pair on AWS: two members (each its own ENI, made first so that every node's address is
# known before any instance boots), a witness, the VIP (an Elastic IP, or a secondary private IP
# of the members' subnet), an instance role whose policy is deploy/aws/iam-policy.json scoped to
# these resources, and one security group that opens vipd's ports between the three nodes only.
# Each node's vipd.yaml and user data come from ../vipd-node-config. README.md beside this file
# maps each piece to vipd's configuration.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

data "aws_subnet" "member" {
  for_each = local.members
  id       = each.value.subnet_id
}

data "aws_subnet" "witness" {
  id = var.witness_subnet_id
}

data "aws_ec2_instance_type" "member" {
  instance_type = var.member_instance_type
}

data "aws_ec2_instance_type" "witness" {
  instance_type = var.witness_instance_type
}

data "aws_ami" "debian" {
  count       = var.ami_id == null ? 1 : 0
  most_recent = true
  # Debian's own AWS account (wiki.debian.org/Cloud/AmazonEC2Image).
  owners = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-13-${var.architecture}-*"]
  }

  filter {
    name   = "architecture"
    values = [local.ec2_architecture]
  }
}

locals {
  members = {
    a = { node_id = "${var.name}-a", subnet_id = var.member_subnet_ids[0] }
    b = { node_id = "${var.name}-b", subnet_id = var.member_subnet_ids[1] }
  }
  witness_id = "${var.name}-witness"
  node_ids   = { a = local.members.a.node_id, b = local.members.b.node_id, witness = local.witness_id }

  eip_mode         = var.vip_mode == "eip"
  ec2_architecture = var.architecture == "amd64" ? "x86_64" : "arm64"
  ami_id           = var.ami_id != null ? var.ami_id : data.aws_ami.debian[0].id
  vpc_id           = data.aws_subnet.member["a"].vpc_id

  # Every node's address, known before any instance exists (the ENIs come first).
  node_ips = {
    a       = aws_network_interface.member["a"].private_ip
    b       = aws_network_interface.member["b"].private_ip
    witness = aws_network_interface.witness.private_ip
  }
  vip = local.eip_mode ? aws_eip.vip[0].public_ip : var.secondary_ip

  # The resources of deploy/aws/iam-policy.json, as ARNs of this pair.
  arn_prefix    = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}"
  eip_arns      = [for e in aws_eip.vip : "${local.arn_prefix}:elastic-ip/${e.allocation_id}"]
  eni_arns      = [for k in sort(keys(local.members)) : "${local.arn_prefix}:network-interface/${aws_network_interface.member[k].id}"]
  instance_arns = [for k in sort(keys(local.members)) : "${local.arn_prefix}:instance/${aws_instance.member[k].id}"]

  tags = merge(var.tags, { "vipd:cluster" = var.cluster_id })
}

# ---------------------------------------------------------------------------------------------
# Each node's vipd.yaml and user data: ../vipd-node-config, shared with gcp-vip-pair. The AWS
# part is the provider's options; the variables the user set are passed on unchanged (that module
# validates them).

module "node_config" {
  source = "../vipd-node-config"

  node_ids       = local.node_ids
  node_addresses = local.node_ips
  vip            = local.vip
  provider_type  = "aws"
  provider_options = {
    for k in keys(local.members) : k => {
      mode          = var.vip_mode
      region        = data.aws_region.current.region
      eni_id        = aws_network_interface.member[k].id
      allocation_id = local.eip_mode ? aws_eip.vip[0].allocation_id : null
    }
  }

  cluster_id       = var.cluster_id
  grpc_port        = var.grpc_port
  timing           = var.timing
  bfd_enabled      = var.bfd_enabled
  bfd_mode         = var.bfd_mode
  vip_group_name   = var.vip_group_name
  vrid             = var.vrid
  vip_interface    = var.vip_interface
  priorities       = var.priorities
  vipd_deb_url     = var.vipd_deb_url
  vipd_deb_sha256  = var.vipd_deb_sha256
  ca_certificate   = var.ca_certificate
  tls_certificates = var.tls_certificates
  tls_private_keys = var.tls_private_keys
  advert_key       = var.advert_key
  advert_key_id    = var.advert_key_id
}

# ---------------------------------------------------------------------------------------------
# The VIP

resource "aws_eip" "vip" {
  count  = local.eip_mode ? 1 : 0
  domain = "vpc"
  # Not associated here: vipd associates it with the master's ENI. vipd writes its fence records
  # as tags vipd:fence:* on this allocation; the provider must ignore them (README, "Tags").
  tags = merge(local.tags, { Name = "${var.name}-vip" })
}

resource "aws_ec2_subnet_cidr_reservation" "vip" {
  count            = var.vip_mode == "secondary-ip" && var.secondary_ip_reservation_cidr != null ? 1 : 0
  subnet_id        = var.member_subnet_ids[0]
  cidr_block       = var.secondary_ip_reservation_cidr
  reservation_type = "explicit"
  description      = "vipd ${var.cluster_id}: the VIP of ${var.name}"
}

# ---------------------------------------------------------------------------------------------
# Network: one security group for the three nodes; vipd's ports only from its own members.

resource "aws_security_group" "vipd" {
  name_prefix = "${var.name}-vipd-"
  description = "vipd ${var.cluster_id}: gRPC and BFD between ${var.name}'s members and witness"
  vpc_id      = local.vpc_id
  tags        = merge(local.tags, { Name = "${var.name}-vipd" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "peer" {
  for_each                     = module.node_config.peer_ports
  security_group_id            = aws_security_group.vipd.id
  referenced_security_group_id = aws_security_group.vipd.id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "vipd ${each.key} from the nodes of this pair"
  tags                         = local.tags
}

resource "aws_vpc_security_group_egress_rule" "peer" {
  for_each                     = module.node_config.peer_ports
  security_group_id            = aws_security_group.vipd.id
  referenced_security_group_id = aws_security_group.vipd.id
  ip_protocol                  = each.value.protocol
  from_port                    = each.value.port
  to_port                      = each.value.port
  description                  = "vipd ${each.key} to the nodes of this pair"
  tags                         = local.tags
}

# Out to the EC2 API, the package and the Debian mirror (the only egress beyond the pair).
resource "aws_vpc_security_group_egress_rule" "web" {
  for_each          = { for pair in setproduct(var.egress_cidrs, [80, 443]) : "${pair[0]} ${pair[1]}" => { cidr = pair[0], port = pair[1] } }
  security_group_id = aws_security_group.vipd.id
  cidr_ipv4         = each.value.cidr
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  description       = each.value.port == 443 ? "EC2 API, the vipd package, the Debian mirror" : "the Debian mirror (apt; signed packages)"
  tags              = local.tags
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  for_each          = toset(var.ssh_ingress_cidrs)
  security_group_id = aws_security_group.vipd.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  description       = "SSH (ssh_ingress_cidrs)"
  tags              = local.tags
}

resource "aws_network_interface" "member" {
  for_each        = local.members
  subnet_id       = each.value.subnet_id
  security_groups = concat([aws_security_group.vipd.id], var.additional_security_group_ids)
  description     = "vipd ${each.value.node_id}"
  tags            = merge(local.tags, { Name = each.value.node_id })

  lifecycle {
    # secondary-ip: vipd adds and removes the VIP on these interfaces; Terraform must not undo it.
    ignore_changes = [private_ips, private_ips_count, private_ip_list, private_ip_list_enabled]

    # Here rather than on the instances: their user data needs the VIP, and
    # ../vipd-node-config's check of a null one would stop the plan before theirs ran.
    precondition {
      condition     = var.vip_mode != "secondary-ip" || var.secondary_ip != null
      error_message = "vip_mode secondary-ip needs secondary_ip, the VIP."
    }
  }
}

resource "aws_network_interface" "witness" {
  subnet_id       = var.witness_subnet_id
  security_groups = [aws_security_group.vipd.id]
  description     = "vipd ${local.witness_id}"
  tags            = merge(local.tags, { Name = local.witness_id })
}

# ---------------------------------------------------------------------------------------------
# IAM: the members' instance role. The witness holds no VIP and gets no role at all.

data "aws_iam_policy_document" "assume_ec2" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ec2.${data.aws_partition.current.dns_suffix}"]
    }
  }
}

# deploy/aws/iam-policy.json statement by statement (the same Sid, actions and conditions), each
# limited to this pair's resources and to the statements of vip_mode. VipdRoutes is not here: this
# module has no route mode. test/unit/deploy/terraform.test.ts holds the two together.
data "aws_iam_policy_document" "vipd" {
  statement {
    sid       = "VipdDescribe"
    effect    = "Allow"
    actions   = ["ec2:DescribeAddresses", "ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.vip_mode == "eip" ? ["VipdElasticIp"] : []
    content {
      sid       = statement.value
      effect    = "Allow"
      actions   = ["ec2:AssociateAddress", "ec2:DisassociateAddress"]
      resources = concat(local.eip_arns, local.eni_arns, local.instance_arns)
    }
  }

  dynamic "statement" {
    for_each = var.vip_mode == "secondary-ip" ? ["VipdSecondaryIp"] : []
    content {
      sid       = statement.value
      effect    = "Allow"
      actions   = ["ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"]
      resources = local.eni_arns
    }
  }

  statement {
    sid     = "VipdFenceTags"
    effect  = "Allow"
    actions = ["ec2:CreateTags"]
    # eip: the records are tags on the allocation; secondary-ip: on each member's own ENI.
    resources = var.vip_mode == "eip" ? local.eip_arns : local.eni_arns

    condition {
      test     = "ForAllValues:StringLike"
      variable = "aws:TagKeys"
      values   = ["vipd:fence:*"]
    }

    condition {
      test     = "Null"
      variable = "aws:TagKeys"
      values   = ["false"]
    }
  }
}

resource "aws_iam_role" "vipd" {
  name_prefix        = "${var.name}-"
  description        = "vipd ${var.cluster_id}: moves the VIP of ${var.name} (deploy/aws/iam-policy.json)"
  assume_role_policy = data.aws_iam_policy_document.assume_ec2.json
  tags               = local.tags
}

# Attached once the instances exist (the policy names them). Until then vipd's preflight fails
# with the missing grant and retries (1 s doubling to 30 s): the group stays in Fault, the VIP
# is taken once the grant is there.
resource "aws_iam_role_policy" "vipd" {
  name   = "vipd"
  role   = aws_iam_role.vipd.id
  policy = data.aws_iam_policy_document.vipd.json
}

resource "aws_iam_instance_profile" "vipd" {
  name_prefix = "${var.name}-"
  role        = aws_iam_role.vipd.name
  tags        = local.tags
}

# ---------------------------------------------------------------------------------------------
# Instances

resource "aws_instance" "member" {
  for_each             = local.members
  ami                  = local.ami_id
  instance_type        = var.member_instance_type
  iam_instance_profile = aws_iam_instance_profile.vipd.name
  key_name             = var.key_name

  primary_network_interface {
    network_interface_id = aws_network_interface.member[each.key].id
  }

  # IMDSv2 only (vipd never uses v1), one hop: a container on the host cannot reach the role.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    encrypted = true
  }

  user_data                   = module.node_config.boot_scripts[each.key]
  user_data_replace_on_change = false

  tags = merge(local.tags, { Name = each.value.node_id })

  lifecycle {
    # Never restart or replace both members in one apply: a new AMI or a changed user data
    # (certificates, configuration) reaches a member when it is replaced, one at a time
    # (README, "Changes").
    ignore_changes = [ami, user_data]

    precondition {
      condition     = var.vip_mode != "secondary-ip" || var.member_subnet_ids[0] == var.member_subnet_ids[1]
      error_message = "vip_mode secondary-ip moves a private address between two interfaces of one subnet: give the same subnet twice in member_subnet_ids (or use vip_mode eip across zones)."
    }
    precondition {
      condition     = var.vip_mode != "eip" || data.aws_subnet.member["a"].availability_zone != data.aws_subnet.member["b"].availability_zone
      error_message = "vip_mode eip: put the two members in subnets of two availability zones (member_subnet_ids)."
    }
    precondition {
      condition     = alltrue([for s in concat(values(data.aws_subnet.member), [data.aws_subnet.witness]) : s.vpc_id == local.vpc_id])
      error_message = "member_subnet_ids and witness_subnet_id must be subnets of one VPC."
    }
    precondition {
      condition     = contains(data.aws_ec2_instance_type.member.supported_architectures, local.ec2_architecture)
      error_message = "member_instance_type does not run ${local.ec2_architecture} (architecture ${var.architecture})."
    }
    precondition {
      condition     = endswith(var.vipd_deb_url, "_${var.architecture}.deb")
      error_message = "vipd_deb_url is not the ${var.architecture} package (architecture)."
    }
  }
}

resource "aws_instance" "witness" {
  ami           = local.ami_id
  instance_type = var.witness_instance_type
  key_name      = var.key_name

  primary_network_interface {
    network_interface_id = aws_network_interface.witness.id
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    encrypted = true
  }

  user_data                   = module.node_config.boot_scripts.witness
  user_data_replace_on_change = false

  tags = merge(local.tags, { Name = local.witness_id })

  lifecycle {
    ignore_changes = [ami, user_data]

    precondition {
      condition     = var.allow_witness_in_member_zone || !contains([for s in values(data.aws_subnet.member) : s.availability_zone], data.aws_subnet.witness.availability_zone)
      error_message = "witness_subnet_id is in a member's availability zone: losing that zone would leave the other member without a majority. Use a third zone, or set allow_witness_in_member_zone."
    }
    precondition {
      condition     = contains(data.aws_ec2_instance_type.witness.supported_architectures, local.ec2_architecture)
      error_message = "witness_instance_type does not run ${local.ec2_architecture} (architecture ${var.architecture})."
    }
  }
}
