# A vipd pair with an Elastic IP in an existing VPC: members in two zones, the witness in a third.
# Make the certificates and the advert key first, on an admin machine (README.md, "Quick start"):
#   vipd certs init --dir pki --cluster shop
#   for n in shop-a shop-b shop-witness; do vipd certs issue $n --dir pki; done
#   head -c 32 /dev/urandom | base64 > pki/advert.key
# then: terraform init && terraform apply -var-file=my.tfvars

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.10.0, < 7.0.0"
    }
  }
}

provider "aws" {
  region = var.region

  # vipd keeps its fence records as tags vipd:fence:* on the Elastic IP (eip) or the members'
  # ENIs (secondary-ip); without this every apply would delete them (providers/aws/README.md,
  # "Fencing").
  ignore_tags {
    key_prefixes = ["vipd:fence:"]
  }
}

variable "region" {
  description = "AWS region of the pair."
  type        = string
  default     = "eu-west-1"
}

variable "member_subnet_ids" {
  description = "Two private subnets in two zones, with a route to the EC2 API and the package URL (NAT gateway or endpoints)."
  type        = list(string)
}

variable "witness_subnet_id" {
  description = "A subnet in a third zone."
  type        = string
}

variable "vipd_deb_url" {
  description = "https URL of vipd_VERSION_amd64.deb (deploy/debian/build.sh)."
  type        = string
}

variable "vipd_deb_sha256" {
  description = "sha256sum of that package."
  type        = string
}

variable "pki_dir" {
  description = "Directory with ca.crt, the node certificates and keys, and advert.key."
  type        = string
  default     = "pki"
}

locals {
  # The node ids of name = "shop" (NAME-a, NAME-b, NAME-witness): pki_dir holds ID.crt and ID.key.
  node_ids = { a = "shop-a", b = "shop-b", witness = "shop-witness" }
}

module "vipd_pair" {
  source = "../.."

  name              = "shop"
  cluster_id        = "shop"
  member_subnet_ids = var.member_subnet_ids
  witness_subnet_id = var.witness_subnet_id
  vip_mode          = "eip"
  # vip_mode      = "secondary-ip"   # one subnet for both members, and the VIP:
  # secondary_ip  = "192.0.2.50"

  vipd_deb_url    = var.vipd_deb_url
  vipd_deb_sha256 = var.vipd_deb_sha256

  ca_certificate   = file("${var.pki_dir}/ca.crt")
  tls_certificates = { for k, id in local.node_ids : k => file("${var.pki_dir}/${id}.crt") }
  tls_private_keys = { for k, id in local.node_ids : k => file("${var.pki_dir}/${id}.key") }
  advert_key       = file("${var.pki_dir}/advert.key")

  # SSH stays closed unless you list who may reach it, e.g. ["203.0.113.0/24"].
  ssh_ingress_cidrs = []

  tags = { project = "shop" }
}

output "vip" {
  description = "The Elastic IP that follows the master."
  value       = module.vipd_pair.vip
}

output "private_ips" {
  description = "The three nodes' private addresses."
  value       = module.vipd_pair.private_ips
}

output "role_arn" {
  description = "The members' instance role."
  value       = module.vipd_pair.role_arn
}
