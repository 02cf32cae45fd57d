"""A malformed `OVERTURE_*` variable is one line naming it, its value and the accepted forms
(issue 11, item 12); durations read as seconds or ISO 8601."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from core.errors import SettingsError
from core.settings import get_settings
from overture.cli import app


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """`get_settings()` caches; read the environment anew on the way in and out."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", timedelta(seconds=1)),
        ("90", timedelta(seconds=90)),
        ("PT72H", timedelta(hours=72)),
        ("P3D", timedelta(days=3)),
    ],
)
def test_approval_ttl_reads_seconds_and_iso_8601(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None, value: str, expected: timedelta
) -> None:
    monkeypatch.setenv("OVERTURE_APPROVAL_TTL", value)
    assert get_settings().approval_ttl == expected


@pytest.mark.parametrize("value", ["abc", "0", "-5", "PT0S"])
def test_a_malformed_approval_ttl_names_variable_value_and_accepted_forms(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None, value: str
) -> None:
    monkeypatch.setenv("OVERTURE_APPROVAL_TTL", value)
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert error.value.variable == "OVERTURE_APPROVAL_TTL" and error.value.value == value
    message = str(error.value)
    assert "\n" not in message
    assert f"OVERTURE_APPROVAL_TTL={value!r}" in message
    assert "seconds" in message and "PT72H" in message


def test_a_malformed_approval_threshold_names_variable_value_and_accepted_forms(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("OVERTURE_APPROVAL_THRESHOLD", "abc")
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert error.value.variable == "OVERTURE_APPROVAL_THRESHOLD"
    assert "OVERTURE_APPROVAL_THRESHOLD='abc'" in str(error.value)
    assert "decimal number" in error.value.accepted


def test_every_malformed_variable_is_named_in_the_one_error(
    monkeypatch: pytest.MonkeyPatch, fresh_settings: None
) -> None:
    monkeypatch.setenv("OVERTURE_APPROVAL_THRESHOLD", "abc")
    monkeypatch.setenv("OVERTURE_APPROVAL_TTL", "soon")
    with pytest.raises(SettingsError) as error:
        get_settings()
    named = {error.value.variable, *error.value.also_invalid}
    assert named == {"OVERTURE_APPROVAL_THRESHOLD", "OVERTURE_APPROVAL_TTL"}


def test_the_cli_prints_a_settings_error_as_one_line_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str, cli_on: Callable[[str], CliRunner]
) -> None:
    runner = cli_on(sqlite_url)
    monkeypatch.setenv("OVERTURE_APPROVAL_THRESHOLD", "abc")
    result = runner.invoke(app, ["approvals"])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert "OVERTURE_APPROVAL_THRESHOLD='abc'" in lines[0] and "Traceback" not in result.output
