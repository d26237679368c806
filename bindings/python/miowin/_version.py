"""The binding's own version, and the library ABI it was written for.

Kept in a module of its own, with nothing but literals, so that the build reads it without
importing the package (which would load the native library).
"""

__version__ = "1.2.0"

#: The miowin ABI major this binding speaks: ``miow_version() >> 16`` must equal it.
ABI_MAJOR = 1
