"""The simulated phone as the tests know it: its passcode, its MAC, a fast profile."""

from __future__ import annotations

from simulator import PhoneProfile, SimulatedPhone

PASSCODE = "Sup3r-Secret!pass"
# The simulated phone's MAC as the config flow stores it (format_mac).
PHONE_MAC = "00:0b:82:12:34:56"


# A key interval for tests that check the client holds the phone until its
# keys are pressed: the hold's slack (2.6 intervals and more) must outlast the
# simulator falling behind on a busy machine, which 0.02 s does not.
HOLD_KEY_INTERVAL = 0.1


def fast_profile(**changes: object) -> PhoneProfile:
    """A phone profile that runs fast enough for tests."""
    profile = PhoneProfile(
        passcode=PASSCODE,
        key_interval=0.02,
        reboot_duration=0.3,
        lockout_duration=5.0,
    )
    for name, value in changes.items():
        setattr(profile, name, value)
    return profile


def change_passcode(phone: SimulatedPhone, refusal_style: str | None = None) -> None:
    """Someone changes the passcode on the phone: it refuses ours from now on.

    ``refusal_style``: how it says so (a PhoneProfile.unauthorized_style).
    """
    if refusal_style is not None:
        phone.profile.unauthorized_style = refusal_style
    phone.profile.passcode = "changed-on-the-phone"
