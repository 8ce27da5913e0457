"""What the Python suites share; each stays a script that sdk-tests/run.sh runs. Checks are
named async functions registered with @check and run in order, each printing `ok - name` or
`not ok - name` with its traceback, and a suite ends on `N passed, N failed` (run.sh adds those
up). Also: the environment a suite needs, and a credential that hands out a fixed token."""

from __future__ import annotations

import base64
import json
import os
import sys
import time
import traceback
from importlib.metadata import version
from typing import Callable

from azure.core.credentials import AccessToken

CHECKS: list[tuple[str, Callable]] = []


def check(name: str):
    def register(function):
        CHECKS.append((name, function))
        return function

    return register


def missing_environment(names: tuple[str, ...]) -> bool:
    """Whether one of `names` is unset (said on stderr): the suite was not run by run.sh."""
    for name in names:
        if not os.environ.get(name):
            print(f"{name} is not set (run sdk-tests/run.sh)", file=sys.stderr)
            return True
    return False


def print_versions(packages: tuple[str, ...], base: str) -> None:
    listed = ", ".join(f"{name} {version(name)}" for name in packages)
    print(f"{listed} on Python {sys.version.split()[0]}, against {base}")


async def run_checks() -> tuple[int, int]:
    """Runs every registered check in order: (passed, failed)."""
    passed = failed = 0
    for name, run in CHECKS:
        try:
            await run()
            passed += 1
            print(f"ok - {name}")
        except Exception:  # a failed check, whatever it raised
            failed += 1
            print(f"not ok - {name}")
            print("  " + traceback.format_exc().replace("\n", "\n  "))
    return passed, failed


def finish(passed: int, failed: int) -> int:
    """The closing line run.sh counts, and the exit status."""
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


class StaticTokenCredential:
    """An azure-core AsyncTokenCredential (get_token/close) that answers with a fixed token, the
    stand-in for azure-identity's ClientSecretCredential that a real tenant would use."""

    def __init__(self, token: str) -> None:
        self._token = token

    async def get_token(self, *scopes: str, **kwargs) -> AccessToken:
        return AccessToken(self._token, int(time.time()) + 3600)

    async def close(self) -> None:
        pass

    async def __aenter__(self):
        return self

    async def __aexit__(self, *args) -> None:
        pass


def claims_of(token: str) -> dict:
    """A JWT's claims, unverified (the suites read what tally put there)."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
