"""slagen: vendor SLAs as numbers and documents people can rely on.

The public Python API lives here; everything else is an implementation module.
"""

__version__ = "0.1.0"

from slagen.errors import (  # noqa: E402
    IncidentDataError,
    PolicyError,
    PolicyErrors,
    SlagenError,
)

__all__ = [
    "__version__",
    "SlagenError",
    "PolicyError",
    "PolicyErrors",
    "IncidentDataError",
]
