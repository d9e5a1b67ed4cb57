# The in-place changes: the Direct Connect gateway renamed
# (UpdateDirectConnectGateway), an allowed prefix added to its association
# (UpdateDirectConnectGatewayAssociation), jumbo frames and SiteLink on the
# virtual interface (UpdateVirtualInterfaceAttributes), and tags changed on
# the gateways and the interface.
gateway_name     = "dx-gateway-renamed"
allowed_prefixes = ["10.0.0.0/16", "172.16.0.0/16"]
mtu              = 9001
sitelink_enabled = true
environment      = "staging"
