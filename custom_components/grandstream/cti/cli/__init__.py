"""The command line ``grandstream-cti`` for a person at a desk or a script.

Built on the library's public API only. Home Assistant never imports this
package: inside the integration it is inert, in the ``grandstream-cti`` wheel
it is the ``grandstream-cti`` console script and ``python -m grandstream_cti``.
"""

from .app import main, run
from .codes import ExitCode
from .terminal import Terminal

__all__ = ["ExitCode", "Terminal", "main", "run"]
