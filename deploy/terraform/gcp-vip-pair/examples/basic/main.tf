# A vipd pair with an alias IP in an existing subnetwork: members in two zones, the witness in a
# third. Make the certificates and the advert key first, on an admin machine (README.md,
# "Quick start"):
#   vipd certs init --dir pki --cluster shop
#   for n in shop-a shop-b shop-witness; do vipd certs issue $n --dir pki; done
#   head -c 32 /dev/urandom | base64 > pki/advert.key
# then: terraform init && terraform apply -var-file=my.tfvars

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 8.0.0"
    }
  }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

variable "project_id" {
  description = "The project of the pair."
  type        = string
}

variable "region" {
  description = "Region of the pair."
  type        = string
  default     = "europe-west1"
}

variable "network" {
  description = "The VPC network."
  type        = string
}

variable "subnetwork" {
  description = "A subnetwork of the region, with Cloud NAT (the package download) and Private Google Access or NAT (the Compute API)."
  type        = string
}

variable "alias_ip" {
  description = "The VIP: a free address of the subnetwork's range, e.g. 192.0.2.50 in a 192.0.2.0/24 subnetwork."
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

  project_id   = var.project_id
  region       = var.region
  name         = "shop"
  cluster_id   = "shop"
  network      = var.network
  subnetwork   = var.subnetwork
  member_zones = ["${var.region}-b", "${var.region}-c"]
  witness_zone = "${var.region}-d"

  vip_mode = "alias-ip"
  alias_ip = var.alias_ip
  # vip_mode = "external-ip"   # a static external address instead (alias_ip not needed)

  vipd_deb_url    = var.vipd_deb_url
  vipd_deb_sha256 = var.vipd_deb_sha256

  ca_certificate   = file("${var.pki_dir}/ca.crt")
  tls_certificates = { for k, id in local.node_ids : k => file("${var.pki_dir}/${id}.crt") }
  tls_private_keys = { for k, id in local.node_ids : k => file("${var.pki_dir}/${id}.key") }
  advert_key       = file("${var.pki_dir}/advert.key")

  # SSH stays closed unless you list who may reach it, e.g. ["203.0.113.0/24"].
  ssh_source_ranges = []

  labels = { project = "shop" }
}

output "vip" {
  description = "The address that follows the master."
  value       = module.vipd_pair.vip
}

output "private_ips" {
  description = "The three nodes' internal addresses."
  value       = module.vipd_pair.private_ips
}

output "service_account_email" {
  description = "The members' service account."
  value       = module.vipd_pair.service_account_email
}
