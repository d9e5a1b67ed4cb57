# The in-place change: the interface's tags (a public interface changes
# nothing else in place).
environment = "staging"
