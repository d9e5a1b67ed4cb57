# The in-place change: a LAG renamed (UpdateLag), connection tags changed
# (TagResource / UntagResource).
lag_name    = "edge-lag-renamed"
environment = "staging"
