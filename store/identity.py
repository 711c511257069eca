"""Who is acting: a signed-in person on a team instance, or the one user of a laptop install.

Every stored change and every audit row names a ``User``; roles and workspaces are looked up
by ``email``. The app makes one from the sign-in (``st.user``) or, in local mode (no sign-in
configured), from the operating-system account.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    email: str  # lower-cased: the key for roles, workspaces and the audit
    name: str = ""
    local: bool = False  # local mode: one user on 127.0.0.1, no sign-in
    # Acting in workshop mode (a room with parent carers): the store then allows reading and
    # recording what the room said, nothing else, whatever the person's role
    # (``store.access.WORKSHOP_ACTIONS``).
    workshop: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", self.email.strip().lower())

    @property
    def label(self) -> str:
        """How the person is shown in 'saved by' and the audit."""
        return self.name or self.email


def local_user() -> User:
    """The laptop's one user, named after the operating-system account."""
    try:
        account = getpass.getuser()
    except (KeyError, OSError):
        account = "analyst"
    return User(email=f"{account}@localhost", name=account, local=True)
