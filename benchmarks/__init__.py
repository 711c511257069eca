"""Performance measures (see README.md). Nothing here runs in the test suite.

Every benchmark times the app as an installed copy runs: with its modules' bytecode cached.
Python writes ``__pycache__`` on a module's first import, and pip compiles what it installs, so
a user's second start never compiles the app's ~300 modules again. A shell that sets
``PYTHONDONTWRITEBYTECODE`` (as this project's development machines do) would make every
server a benchmark starts compile them all again, a cost only the app pays (the bare page has
one line), so it is unset for the servers started from here.
"""

import os

os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
