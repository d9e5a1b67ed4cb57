# The in-place changes: the partner renames its LAG and retags its port.
lag_name    = "partner-lag-renamed"
environment = "staging"
