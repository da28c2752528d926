# A vipd pair on Google Cloud: two members in two zones, a witness in a third, each on a
# reserved internal address (known before any instance boots); the VIP (an alias IP range, or a
# static external address this module reserves); the members' service account with a custom
# role of exactly deploy/gcp/vipd-role.yaml; firewall rules that open vipd's ports between the
# three nodes' service accounts only. Each node's vipd.yaml and startup script come from
# ../vipd-node-config. README.md beside this file maps each piece to vipd's configuration.

locals {
  members = {
    a = { node_id = "${var.name}-a", zone = var.member_zones[0], peer = "b" }
    b = { node_id = "${var.name}-b", zone = var.member_zones[1], peer = "a" }
  }
  witness_id = "${var.name}-witness"
  node_ids   = { a = local.members.a.node_id, b = local.members.b.node_id, witness = local.witness_id }

  external_mode = var.vip_mode == "external-ip"

  node_ips = { for k, a in google_compute_address.node : k => a.address }
  vip      = local.external_mode ? google_compute_address.vip[0].address : var.alias_ip

  # The firewall rules match these identities, not tags: joining them takes actAs on the account.
  node_service_accounts = [google_service_account.vipd.email, google_service_account.witness.email]

  # Metadata besides the startup script: OS Login for SSH, no project-wide SSH keys.
  base_metadata = {
    enable-oslogin         = "TRUE"
    block-project-ssh-keys = "TRUE"
  }
}

# ---------------------------------------------------------------------------------------------
# Each node's vipd.yaml and startup script: ../vipd-node-config, shared with aws-vip-pair. The
# GCP part is the provider's options; the variables the user set are passed on unchanged (that
# module validates them).

module "node_config" {
  source = "../vipd-node-config"

  node_ids       = local.node_ids
  node_addresses = local.node_ips
  vip            = local.vip
  provider_type  = "gcp"
  provider_options = {
    for k, m in local.members : k => {
      mode     = var.vip_mode
      project  = var.project_id
      zone     = m.zone
      instance = m.node_id
      # The other member, ZONE/NAME: vipd finds the holder among these without listing the zone.
      instances             = ["${local.members[m.peer].zone}/${local.members[m.peer].node_id}"]
      subnetwork_range_name = local.external_mode ? null : var.alias_subnetwork_range_name
      address               = local.external_mode ? google_compute_address.vip[0].name : null
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
# IAM: the members' service account and the custom role. The witness runs as an account of its
# own with no role at all (it holds no VIP); it exists so the firewall can name it.

resource "google_service_account" "vipd" {
  project      = var.project_id
  account_id   = "${var.name}-vipd"
  display_name = "vipd ${var.cluster_id}: members of ${var.name}"
  description  = "Moves the VIP of ${var.name} (deploy/gcp/vipd-role.yaml)"
}

resource "google_service_account" "witness" {
  project      = var.project_id
  account_id   = "${var.name}-witness"
  display_name = "vipd ${var.cluster_id}: witness of ${var.name}"
  description  = "No roles: the witness only votes"
}

# Exactly deploy/gcp/vipd-role.yaml (test/unit/deploy/terraform.test.ts compares the two).
resource "google_project_iam_custom_role" "vipd" {
  project     = var.project_id
  role_id     = "${replace(var.name, "-", "_")}_vipd"
  title       = "vipd (${var.name})"
  description = "Move a VIP (alias IP range, static external address or route) between vipd members"
  stage       = "GA"
  permissions = [
    "compute.addresses.get",
    "compute.addresses.use",
    "compute.globalOperations.get",
    "compute.globalOperations.list",
    "compute.instances.addAccessConfig",
    "compute.instances.deleteAccessConfig",
    "compute.instances.get",
    "compute.instances.list",
    "compute.instances.setMetadata",
    "compute.instances.updateNetworkInterface",
    "compute.networks.get",
    "compute.networks.updatePolicy",
    "compute.routes.create",
    "compute.routes.delete",
    "compute.routes.list",
    "compute.zoneOperations.get",
    "compute.zoneOperations.list",
  ]
}

resource "google_project_iam_member" "vipd" {
  project = var.project_id
  role    = google_project_iam_custom_role.vipd.id
  member  = "serviceAccount:${google_service_account.vipd.email}"
}

# Changing the metadata of an instance that runs as a service account needs actAs on that
# account (deploy/gcp/README.md): granted on the vipd account only, to itself.
resource "google_service_account_iam_member" "vipd_act_as" {
  service_account_id = google_service_account.vipd.name
  role               = "roles/iam.serviceAccountUser"
  member             = "serviceAccount:${google_service_account.vipd.email}"
}

# ---------------------------------------------------------------------------------------------
# Addresses

resource "google_compute_address" "node" {
  for_each     = local.node_ids
  project      = var.project_id
  region       = var.region
  name         = "${each.value}-internal"
  address_type = "INTERNAL"
  subnetwork   = var.subnetwork
  description  = "vipd ${var.cluster_id}: ${each.value}"

  lifecycle {
    # Here rather than on the instances: their startup script needs the VIP, and
    # ../vipd-node-config's check of a null one would stop the plan before theirs ran.
    precondition {
      condition     = var.vip_mode != "alias-ip" || var.alias_ip != null
      error_message = "vip_mode alias-ip needs alias_ip, the VIP."
    }
  }
}

resource "google_compute_address" "vip" {
  count        = local.external_mode ? 1 : 0
  project      = var.project_id
  region       = var.region
  name         = "${var.name}-vip"
  address_type = "EXTERNAL"
  description  = "vipd ${var.cluster_id}: the VIP of ${var.name}, on the master's nic0"
}

# ---------------------------------------------------------------------------------------------
# Firewall: vipd's ports between the three nodes only; SSH only from ssh_source_ranges.

resource "google_compute_firewall" "peer" {
  for_each    = module.node_config.peer_ports
  project     = var.project_id
  name        = "${var.name}-vipd-${each.key}"
  network     = var.network
  direction   = "INGRESS"
  description = "vipd ${each.key} between the nodes of ${var.name}"

  allow {
    protocol = each.value.protocol
    ports    = [tostring(each.value.port)]
  }

  source_service_accounts = local.node_service_accounts
  target_service_accounts = local.node_service_accounts
}

resource "google_compute_firewall" "ssh" {
  count       = length(var.ssh_source_ranges) > 0 ? 1 : 0
  project     = var.project_id
  name        = "${var.name}-vipd-ssh"
  network     = var.network
  direction   = "INGRESS"
  description = "SSH to the nodes of ${var.name} (ssh_source_ranges)"

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }

  source_ranges           = var.ssh_source_ranges
  target_service_accounts = local.node_service_accounts
}

# ---------------------------------------------------------------------------------------------
# Instances

resource "google_compute_instance" "member" {
  for_each                  = local.members
  project                   = var.project_id
  name                      = each.value.node_id
  zone                      = each.value.zone
  machine_type              = var.member_machine_type
  allow_stopping_for_update = true
  labels                    = var.labels

  boot_disk {
    initialize_params {
      image = var.image
    }
  }

  network_interface {
    subnetwork = var.subnetwork
    network_ip = google_compute_address.node[each.key].address
  }

  service_account {
    email  = google_service_account.vipd.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  metadata = merge(local.base_metadata, { startup-script = module.node_config.boot_scripts[each.key] })

  # The grants first, so the first start's preflight passes.
  depends_on = [google_project_iam_member.vipd, google_service_account_iam_member.vipd_act_as]

  lifecycle {
    # vipd moves the alias range and the access config between the members and keeps its fence
    # record in the metadata (vipd-fence-GROUP): Terraform must not undo either. A changed
    # startup script (certificates, configuration) or image reaches a member when it is replaced,
    # one at a time (README, "Changes").
    ignore_changes = [
      metadata,
      network_interface[0].alias_ip_range,
      network_interface[0].access_config,
      boot_disk[0].initialize_params[0].image,
    ]

    precondition {
      condition     = var.member_zones[0] != var.member_zones[1]
      error_message = "member_zones must be two different zones."
    }
    precondition {
      condition     = alltrue([for z in concat(var.member_zones, [var.witness_zone]) : startswith(z, "${var.region}-")])
      error_message = "member_zones and witness_zone must be zones of region ${var.region}."
    }
  }
}

resource "google_compute_instance" "witness" {
  project                   = var.project_id
  name                      = local.witness_id
  zone                      = var.witness_zone
  machine_type              = var.witness_machine_type
  allow_stopping_for_update = true
  labels                    = var.labels

  boot_disk {
    initialize_params {
      image = var.image
    }
  }

  network_interface {
    subnetwork = var.subnetwork
    network_ip = google_compute_address.node["witness"].address
  }

  service_account {
    email  = google_service_account.witness.email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  metadata = merge(local.base_metadata, { startup-script = module.node_config.boot_scripts.witness })

  lifecycle {
    ignore_changes = [metadata, boot_disk[0].initialize_params[0].image]

    precondition {
      condition     = var.allow_witness_in_member_zone || !contains(var.member_zones, var.witness_zone)
      error_message = "witness_zone is a member's zone: losing that zone would leave the other member without a majority. Use a third zone, or set allow_witness_in_member_zone."
    }
  }
}
