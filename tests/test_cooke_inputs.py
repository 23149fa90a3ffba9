"""Bad seeds files and Excalibur studies: each problem as one exact located line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from forecast.cooke import excalibur, load, save, seeds
from forecast.errors import InputError

SEEDS = """\
format: 1
kind: seeds
title: Test study
quantiles: [0.05, 0.5, 0.95]
seeds:
  - id: s1
    unit: t
    realization: 5
    source: a table
  - id: s2
    scale: log
    realization: 50
  - id: s3
    realization: 0.5
targets:
  - id: t1
experts:
  - name: Ann
    answers:
      s1: [1, 4, 9]
      s2: [10, 40, 90]
      s3: [0.1, 0.4, 0.9]
      t1: [1, 2, 3]
  - name: Bob
    answers:
      s1: [3, 6, 7]
      s2: [30, 60, 70]
      s3: [0.3, 0.6, 0.7]
      t1: [1, 5, 8]
"""

DTT = """\
* CLASS ASCII OUTPUT FILE. NQ=   3   QU=   5  50  95
    1      Ann    1             s1 UNI  1.00000E+0000  4.00000E+0000  9.00000E+0000
    1      Ann    2             s2 LOG  1.00000E+0001  4.00000E+0001  9.00000E+0001
    1      Ann    3             s3 UNI  1.00000E-0001  4.00000E-0001  9.00000E-0001
    1      Ann    4             t1 UNI  1.00000E+0000  2.00000E+0000  3.00000E+0000
    2      Bob    1             s1 UNI  3.00000E+0000  6.00000E+0000  7.00000E+0000
    2      Bob    2             s2 LOG  3.00000E+0001  6.00000E+0001  7.00000E+0001
    2      Bob    3             s3 UNI  3.00000E-0001  6.00000E-0001  7.00000E-0001
    2      Bob    4             t1 UNI  1.00000E+0000  5.00000E+0000  8.00000E+0000
"""

RLS = """\
    1             s1  5.00000E+0000 UNI
    2             s2  5.00000E+0001 LOG
    3             s3  5.00000E-0001 UNI
    4             t1 -9.99500E+0002 UNI
"""


def _yaml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "study.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _excalibur(tmp_path: Path, dtt: str = DTT, rls: str = RLS) -> Path:
    (tmp_path / "study.DTT").write_text(dtt, encoding="utf-8")
    (tmp_path / "study.Rls").write_text(rls, encoding="utf-8")
    return tmp_path / "study.DTT"


def _lines(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load(path)
    return info.value.lines()


def test_good_files_read_alike(tmp_path: Path) -> None:
    a = load(_yaml(tmp_path, SEEDS))
    b = load(_excalibur(tmp_path))
    assert a.experts == b.experts == ("Ann", "Bob")
    assert [it.id for it in a.items] == [it.id for it in b.items]
    assert [it.realization for it in a.items] == [5, 50, 0.5, None]
    assert [it.scale for it in b.items] == ["uni", "log", "uni", "uni"]
    np.testing.assert_array_equal(a.answers, b.answers)


def test_pair_found_from_either_file_in_any_case(tmp_path: Path) -> None:
    _excalibur(tmp_path)
    for name in ("study.DTT", "study.Rls", "study"):
        assert load(tmp_path / name).experts == ("Ann", "Bob") if name != "study" else True
    assert excalibur.read(tmp_path / "study").experts == ("Ann", "Bob")


def test_round_trips(tmp_path: Path) -> None:
    study = load(_yaml(tmp_path, SEEDS))
    for target in ("copy.yaml", "copy.dtt"):
        save(study, tmp_path / target)
        again = load(tmp_path / target)
        np.testing.assert_array_equal(again.answers, study.answers)
        assert again.items == tuple(
            it if target.endswith("yaml") else type(it)(it.id, it.realization, it.scale)
            for it in study.items
        )


def test_missing_partner_file(tmp_path: Path) -> None:
    (tmp_path / "lonely.dtt").write_text(DTT, encoding="utf-8")
    assert _lines(tmp_path / "lonely.dtt")[0] == f"{tmp_path / 'lonely'}.rls: no such file"


# -- the bad inputs, in a seeds file ----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "s1: [1, 4, 9]",
            "s1: [1, 9, 4]",
            "study.yaml:20:18 experts[0].answers.s1[2]: quantiles must increase (4 after 9)",
        ),
        (
            "s1: [1, 4, 9]",
            "s1: [1, 4]",
            "study.yaml:20:11 experts[0].answers.s1: 2 quantiles where quantiles lists 3 levels",
        ),
        (
            "    realization: 50\n",
            "",
            "study.yaml:10:5 seeds[1].realization: required but missing",
        ),
        (
            "s2: [10, 40, 90]",
            "s2: [0, 40, 90]",
            "study.yaml:21:12 experts[0].answers.s2[0]: must be positive on a log scale (got 0)",
        ),
        (
            "      s1: [3, 6, 7]\n      s2: [30, 60, 70]\n      s3: [0.3, 0.6, 0.7]\n",
            "",
            "study.yaml:24:11 experts[1].name: answered no seed item, so their calibration "
            "cannot be measured",
        ),
        (
            "  - id: s2\n    scale: log\n    realization: 50\n  - id: s3\n    realization: 0.5\n",
            "",
            "study.yaml:6:3 seeds: a study needs at least 2 seed items with realisations (found 1)",
        ),
    ],
    ids=["order", "count", "no-realisation", "log-non-positive", "no-seed-answered", "one-seed"],
)
def test_bad_seeds_file(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in SEEDS
    text = SEEDS.replace(old, new)
    if "id: s2" not in text:  # the answers to removed items go too
        text = "\n".join(
            line for line in text.splitlines() if "s2:" not in line and "s3:" not in line
        )
    path = _yaml(tmp_path, text)
    lines = _lines(path)
    assert lines[0] == f"{tmp_path / expected}"


def test_realisation_on_log_scale_must_be_positive(tmp_path: Path) -> None:
    text = SEEDS.replace("realization: 50", "realization: -2")
    assert _lines(_yaml(tmp_path, text))[0] == (
        f"{tmp_path}/study.yaml:12:18 seeds[1].realization: realisation must be positive on "
        "a log scale (got -2)"
    )


def test_answer_to_unknown_item(tmp_path: Path) -> None:
    text = SEEDS.replace("t1: [1, 2, 3]", "t9: [1, 2, 3]")
    assert _lines(_yaml(tmp_path, text))[0] == (
        f"{tmp_path}/study.yaml:23:11 experts[0].answers.t9: no seed or target item has the id 't9'"
    )


def test_unknown_key_and_levels(tmp_path: Path) -> None:
    text = SEEDS.replace("quantiles: [0.05, 0.5, 0.95]", "quantiles: [0.5, 0.05, 0.95]")
    text = text.replace("    unit: t\n", "    units: t\n")
    lines = _lines(_yaml(tmp_path, text))
    assert (
        lines[0] == f"{tmp_path}/study.yaml:4:12 quantiles: levels must increase (0.05 after 0.5)"
    )
    assert lines[1].startswith(f"{tmp_path}/study.yaml:7:5 seeds[0].units: unknown key 'units'")


# -- the bad inputs, in an Excalibur study ----------------------------------------------


def _swap(text: str, line: int, old: str, new: str) -> str:
    lines = text.splitlines()
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines) + "\n"


def test_excalibur_quantiles_out_of_order(tmp_path: Path) -> None:
    dtt = _swap(DTT, 2, "4.00000E+0000  9.00000E+0000", "9.50000E+0000  9.00000E+0000")
    assert _lines(_excalibur(tmp_path, dtt)) == [
        f"{tmp_path}/study.DTT:2:71 expert Ann item s1 95%: quantiles must increase (9 after 9.5)",
        "  hint: give the 5, 50, 95% quantiles from lowest to highest",
    ]


def test_excalibur_too_few_quantiles(tmp_path: Path) -> None:
    dtt = _swap(DTT, 3, "  9.00000E+0001", "")
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:3:69 expert Ann item s2: 2 quantiles where the header says NQ=3"
    )


def test_excalibur_too_many_quantiles(tmp_path: Path) -> None:
    dtt = _swap(DTT, 3, "  9.00000E+0001", "  9.00000E+0001  9.90000E+0001")
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:3:86 expert Ann item s2: 4 quantiles where the header says NQ=3"
    )


def test_excalibur_realisation_missing(tmp_path: Path) -> None:
    rls = _swap(RLS, 3, " 5.00000E-0001", "")
    assert _lines(_excalibur(tmp_path, rls=rls)) == [
        f"{tmp_path}/study.Rls:3:23 item s3: realisation missing",
        "  hint: give the realisation before the scale, or -999.5 for a target item",
    ]


def test_excalibur_non_positive_on_log_scale(tmp_path: Path) -> None:
    dtt = _swap(DTT, 7, " 3.00000E+0001", "-3.00000E+0001")
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:7:40 expert Bob item s2 5%: must be positive on a log scale "
        "(got -30)"
    )


def test_excalibur_expert_without_seed_answers(tmp_path: Path) -> None:
    dtt = DTT
    for line in (6, 7, 8):
        row = dtt.splitlines()[line - 1]
        values = row[40:]
        dtt = _swap(dtt, line, values, "  ".join(["-9.99500E+0002"] * 3))
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:6:12 expert Bob: answered no seed item, so their calibration "
        "cannot be measured"
    )


def test_excalibur_one_seed(tmp_path: Path) -> None:
    rls = _swap(RLS, 1, " 5.00000E+0000", "-9.99500E+0002")
    rls = _swap(rls, 2, " 5.00000E+0001", "-9.99600E+0002")
    assert _lines(_excalibur(tmp_path, rls=rls))[0] == (
        f"{tmp_path}/study.Rls:1:1 a study needs at least 2 seed items with realisations (found 1)"
    )


def test_excalibur_partly_missing_line(tmp_path: Path) -> None:
    dtt = _swap(DTT, 2, "4.00000E+0000", "-9.99500E+0002")
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:2:56 expert Ann item s1: some quantiles are missing (-999.5) "
        "and some are not"
    )


def test_excalibur_bad_header(tmp_path: Path) -> None:
    dtt = DTT.replace("NQ=   3", "NQ=   4")
    assert _lines(_excalibur(tmp_path, dtt))[0] == (
        f"{tmp_path}/study.DTT:1:34 NQ: NQ=4 but QU= lists 3 levels"
    )


def test_missing_answers_are_left_out(tmp_path: Path) -> None:
    row = DTT.splitlines()[3]
    dtt = _swap(DTT, 4, row[40:], "  ".join(["-9.99500E+0002"] * 3))
    study = load(_excalibur(tmp_path, dtt))
    assert np.isnan(study.answers[0, 2]).all()
    assert not np.isnan(study.answers[1, 2]).any()


def test_seeds_dump_is_valid_yaml(tmp_path: Path) -> None:
    study = load(_excalibur(tmp_path))
    text = seeds.dumps(study, "Copied")
    assert "s1: [1, 4, 9]" in text
    assert load(_yaml(tmp_path, textwrap.dedent(text))).experts == study.experts
