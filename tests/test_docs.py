"""The guides' links and pictures, checked as `make docs` checks them (scripts/docs.py; the
screenshots themselves are taken only by `make docs`): every relative link and image of README.md
and docs/ names a file of the repository, every anchor a heading, and every picture is shown."""
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _docs():
    spec = importlib.util.spec_from_file_location("docs_script", ROOT / "scripts" / "docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


docs = _docs()


def test_every_link_and_picture_of_the_guides_resolves_and_every_picture_is_shown():
    assert docs.check(ROOT) == []


def test_every_role_has_its_guide_with_pictures():
    for guide in ("company.md", "booth-staff.md", "organiser.md", "department.md"):
        text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
        assert text.count("](images/") >= 8, guide


def _site(tmp_path, readme, pages, pictures=()):
    (tmp_path / "README.md").write_text(readme, encoding="utf-8")
    (tmp_path / "docs" / "images").mkdir(parents=True)
    for name, text in pages.items():
        (tmp_path / "docs" / name).write_text(text, encoding="utf-8")
    for name in pictures:
        (tmp_path / "docs" / "images" / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    return tmp_path


def test_the_check_passes_a_sound_site(tmp_path):
    root = _site(tmp_path, "# Kiosk\n\nSee [the guide](docs/guide.md#2-扫码--scan).\n", {
        "guide.md": "# 指南 · Guide\n\n## 2. 扫码 · Scan\n\n![海报 · poster](images/poster.png)\n\n"
                    "[back](../README.md) [top](#指南--guide) [web](https://example.org/x.md)\n\n"
                    "```\n[not a link](nowhere.md)\n```\n\nand `[code](nowhere.md)` too.\n"},
        ["poster.png"])
    assert docs.check(root) == []


def test_the_check_finds_a_broken_link_a_missing_picture_a_missing_anchor_and_an_unused_picture(tmp_path):
    root = _site(tmp_path, "# Kiosk\n\n[Guides](docs/guides.md)\n", {
        "guide.md": "# Guide\n\n![the form](images/form.png)\n\n[the booth](booth.md#no-such-step)\n",
        "booth.md": "# Booth\n\n## A step\n\n[out](../../elsewhere.md)\n"},
        ["form-old.png"])
    problems = docs.check(root)
    assert problems == [
        "README.md:3: docs/guides.md: no such file",
        "docs/booth.md:5: ../../elsewhere.md points outside the repository",
        "docs/guide.md:3: images/form.png: no such file",
        "docs/guide.md:5: booth.md#no-such-step: no heading makes the anchor #no-such-step",
        "docs/images/form-old.png: no page shows it",
    ]


def test_anchors_are_made_as_the_code_host_makes_them():
    taken = {}
    assert (docs.slug("7. 把平板交给企业评价 · Hand the tablet over", taken)
            == "7-把平板交给企业评价--hand-the-tablet-over")
    assert docs.slug("The company's phone", taken) == "the-companys-phone"
    assert docs.slug("The company's phone", taken) == "the-companys-phone-1"
