# The in-place changes: the network account renames a gateway and widens
# what the workload's virtual private gateway may advertise.
gateway_name         = "shared-vgw-renamed"
vgw_allowed_prefixes = ["10.0.0.0/16", "10.1.0.0/16"]
