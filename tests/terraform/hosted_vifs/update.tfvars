# The in-place change: the customer retags the interfaces it accepted.
environment = "staging"
