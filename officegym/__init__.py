"""officegym: a sandboxed replay and evaluation harness for computer-use agents on office work.

Importing it registers every task as a Gymnasium env (`officegym/<task id>-v0`); nothing starts
until an env is made.
"""

from officegym.errors import OfficegymError, UnknownNameError

__version__ = "0.1.0"
__all__ = ["OfficegymError", "UnknownNameError", "__version__"]

from officegym.envs import register_envs as _register_envs

_register_envs()
