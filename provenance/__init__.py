"""provenance: find what a news article leans on, resolve and archive it, and record the chain."""

import logging

__version__ = "0.1.0"

logging.getLogger("provenance").addHandler(logging.NullHandler())

__all__ = ["__version__"]
