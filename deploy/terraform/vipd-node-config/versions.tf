terraform {
  # The floor of the modules that call it (aws-vip-pair, gcp-vip-pair). It makes no resources and
  # needs no provider.
  required_version = ">= 1.5.0"
}
