"""hallq."""

from hallq.native import activate

# Before anything imports the hot modules: they load compiled if built (see hallq.native).
NATIVE = activate()
