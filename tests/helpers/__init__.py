"""What the tests share that is not a fixture: constants, builders, waits, checks.

Fixtures live in the ``conftest.py`` files (pytest finds them there); test
modules import everything else from here, never from a ``conftest`` or from
another test module (``tests/test_structure.py`` checks it).
"""
