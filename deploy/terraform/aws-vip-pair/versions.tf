terraform {
  # Preconditions (1.2), endswith (1.3); nothing newer: a variable's validation names only that
  # variable (cross-variable checks are preconditions), as Terraform before 1.9 requires.
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.10 added aws_instance.primary_network_interface (network_interface is deprecated).
      version = ">= 6.10.0, < 7.0.0"
    }
  }
}
