terraform {
  # Preconditions (1.2), startswith (1.3); a variable's validation names only that variable
  # (cross-variable checks are preconditions), as Terraform before 1.9 requires.
  required_version = ">= 1.5.0"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0.0, < 8.0.0"
    }
  }
}
