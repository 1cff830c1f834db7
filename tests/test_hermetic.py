"""The suite reads its data from the repository, never from beside it."""

from __future__ import annotations

from tests.helpers import ATOM_RNG, REPO, SEEDS


def test_schema_and_seeds_are_inside_the_repository():
    for path in (ATOM_RNG, ATOM_RNG.with_suffix(".rnc"), SEEDS / "qutoutiao-hexo-post.md"):
        assert path.resolve().is_relative_to(REPO) and path.is_file(), path


def test_no_test_module_reaches_outside_the_repository():
    # `parents[2]` from a test file, or `REPO.parent`, is the folder the clone sits in.
    for module in sorted((REPO / "tests").rglob("*.py")):
        if module.name == "test_hermetic.py":
            continue
        text = module.read_text(encoding="utf-8")
        assert "REPO.parent" not in text and "parents[2]" not in text, module
