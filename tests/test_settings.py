from __future__ import annotations

import pytest

from orgbook import env


def test_passwords_are_hashed_with_argon2_in_real_settings() -> None:
    import importlib

    import orgbook.settings as real

    assert importlib.reload(real).PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("raw,expected", [("1", True), ("yes", True), ("false", False), ("off", False)])
def test_booleans_parse_strictly(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("X_FLAG", raw)
    assert env.env_bool("X_FLAG", not expected) is expected


def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(env.SettingError, match="X_FLAG must be true or false"):
        env.env_bool("X_FLAG", False)


def test_a_number_below_its_minimum_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("X_DAYS", "0")
    with pytest.raises(env.SettingError, match="X_DAYS must be at least 1"):
        env.env_int("X_DAYS", 240, minimum=1)


def test_a_test_run_writes_only_under_a_temporary_data_directory() -> None:
    # A local run once wrote ./var and read the real token_keys there (tests/isolation.py).
    import tempfile
    from pathlib import Path

    from django.conf import settings

    repository = Path(__file__).resolve().parents[1]
    assert Path(settings.DATA_DIR).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())
    assert not Path(settings.DATA_DIR).resolve().is_relative_to(repository)
