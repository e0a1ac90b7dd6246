"""What the command prints and writes: the JSON report file and the terminal progress bar."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from import_cadastru.management.commands.import_cadastru import Command

pytestmark = pytest.mark.django_db


def test_report_file_is_the_run_as_json(cli, data, tmp_path):
    out = tmp_path / "raport.json"
    result = cli(data / "extravilan_60201_empty.cgxml", "--report", out)
    assert result.code == 3
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["status"] == "warnings" and report["counts"]["created"] == 1
    assert report["axis_order"] == "X=E,Y=N" and len(report["file_hash"]) == 64
    assert report["report"]["findings"]["area_difference"]["count"] == 1
    assert "Popa" not in out.read_text(encoding="utf-8")  # no personal data


class Terminal(StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(data, capsys):
    call_command(Command(), str(data / "lot" / "60301.cgxml"), "--dry-run", stdout=Terminal())
    assert "citire CGXML" in capsys.readouterr().err  # tqdm, on stderr
    call_command(Command(), str(data / "lot" / "60301.cgxml"), "--dry-run", stdout=StringIO())
    assert "citire CGXML" not in capsys.readouterr().err


def test_bad_option_value_is_a_clear_error(cli, data):
    result = cli(data / "lot" / "60301.cgxml", "--field", "fara-egal")
    assert result.code == 2 and "COLOANĂ=VALOARE" in result.err
