"""servsim-validate --only N re-runs some checks and keeps the others' sections."""

from servsim.validation import Check
from servsim.validation.report import write_report


def fake(number: int, passed: bool, value: float) -> Check:
    return Check(number, f"Check {number}", "claim", "source", "setup", "criterion",
                 {"x": value}, passed)


def test_only_keeps_the_other_checks_sections(tmp_path):
    doc, figures = tmp_path / "docs" / "validation.md", tmp_path / "figures"
    doc.parent.mkdir()
    write_report([fake(1, True, 1.0), fake(2, False, 2.0), fake(3, True, 3.0)], figures, doc,
                 "full", 60.0)
    write_report([fake(2, True, 22.0)], figures, doc, "full", 6.0, keep_others=True)
    text = doc.read_text(encoding="utf-8")
    assert "**3 of 3 checks pass.**" in text
    assert "| 2 | Check 2 | pass |" in text and "**FAIL**" not in text
    assert "x = 22" in text and "x = 2." not in text  # check 2 replaced
    assert "x = 1." in text and "x = 3." in text  # 1 and 3 kept, in order
    assert text.index("## 1. ") < text.index("## 2. ") < text.index("## 3. ")
    assert text.count("## Known limits of the model") == 1
    assert "re-run by `servsim-validate --size full --only 2`" in text
    # a new check is added in its place
    write_report([fake(4, False, 4.0)], figures, doc, "full", 1.0, keep_others=True)
    text = doc.read_text(encoding="utf-8")
    assert "**3 of 4 checks pass.**" in text and "| 4 | Check 4 | **FAIL** |" in text
    assert "x = 22" in text


def test_a_full_run_replaces_the_report(tmp_path):
    doc, figures = tmp_path / "docs" / "validation.md", tmp_path / "figures"
    doc.parent.mkdir()
    write_report([fake(1, True, 1.0), fake(2, True, 2.0)], figures, doc, "full", 60.0)
    write_report([fake(1, False, 5.0)], figures, doc, "full", 60.0)
    text = doc.read_text(encoding="utf-8")
    assert "**0 of 1 checks pass.**" in text and "## 2. " not in text
