# The in-place change: the connection must encrypt (UpdateConnection), and
# its tags change.
encryption_mode = "must_encrypt"
environment     = "staging"
