# The in-place changes: another allowed prefix on the association, jumbo
# frames and SiteLink on the transit interface, and tags (EC2 CreateTags /
# DeleteTags on the transit gateway, TagResource on the interface).
allowed_prefixes = ["10.10.0.0/16", "10.20.0.0/16"]
mtu              = 8500
sitelink_enabled = true
environment      = "staging"
