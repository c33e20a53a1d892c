"""Paths from SRC never make migrate write outside DST: "..", absolute paths, symlinks pointing
out (in SRC or planted in DST), names that differ only in case; DST inside SRC is refused."""
from __future__ import annotations

import json
import os

import pytest

from converters.migrate.atomic import OutputTree, UnsafeOutput, write_file
from converters.migrate.paths import collision_key, safe_relative
from tests.migrate_trees import flowzap_convert, tree_digest

DIAGRAM = 'L { # L\nn1: circle label:"x"\n}\n'


def _src(tmp_path, names=("a.fz",)):
    src = tmp_path / "src"
    for name in names:
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(DIAGRAM, encoding="utf-8")
    return src


def _report(tmp_path, *args):
    report = tmp_path / "report.json"
    done = flowzap_convert("migrate", *args, "--report", report, "-q")
    return done, {e["source"]: e for e in json.loads(report.read_text())["files"]} if report.exists() else {}


def test_dst_inside_src_and_src_inside_dst_are_refused(tmp_path):
    src = _src(tmp_path)
    inside = flowzap_convert("migrate", src, src / "out", "--to", "yaml")
    assert inside.returncode == 2 and "inside SRC" in inside.stderr and not (src / "out").exists()
    same = flowzap_convert("migrate", src, src, "--to", "yaml")
    assert same.returncode == 2
    around = flowzap_convert("migrate", src, tmp_path, "--to", "yaml")
    assert around.returncode == 2 and "inside DST" in around.stderr
    link = tmp_path / "link-to-src"
    link.symlink_to(src)
    through_link = flowzap_convert("migrate", src, link / "out", "--to", "yaml")
    assert through_link.returncode == 2


def test_symlinks_in_src_pointing_out_are_not_followed(tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "secret.fz").write_text(DIAGRAM, encoding="utf-8")
    src = _src(tmp_path)
    (src / "leak.fz").symlink_to(outside / "secret.fz")
    (src / "folder").symlink_to(outside, target_is_directory=True)
    (src / "inner.fz").symlink_to(src / "a.fz")
    done, files = _report(tmp_path, src, tmp_path / "out", "--to", "yaml")
    assert done.returncode == 0, done.stderr
    assert files["leak.fz"]["status"] == "skipped" and "outside SRC" in files["leak.fz"]["reason"]
    assert "folder/secret.fz" not in files  # a symlinked folder is not walked
    assert files["inner.fz"]["status"] == "converted"  # a symlink inside SRC is fine
    assert sorted(tree_digest(tmp_path / "out")) == ["a.yaml", "inner.yaml"]


def test_a_symlink_planted_in_dst_cannot_redirect_a_write(tmp_path):
    src = _src(tmp_path, ("sub/x.fz", "ok.fz"))
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "sub").symlink_to(outside, target_is_directory=True)
    done, files = _report(tmp_path, src, out, "--to", "yaml")
    assert done.returncode == 1
    assert files["sub/x.fz"]["status"] == "failed"
    assert files["sub/x.fz"]["diagnostics"][0]["code"] == "UNSAFE_PATH"
    assert list(outside.iterdir()) == []  # nothing written through the link
    assert (out / "ok.yaml").is_file()


def test_names_that_differ_only_in_case_or_map_to_one_output_collide(tmp_path):
    src = _src(tmp_path, ("Flow.fz", "flow.fz", "x.fz", "x.flowzap", "docs/Page.md", "DOCS/page.md"))
    (src / "docs" / "Page.md").write_text("```flowzap\n" + DIAGRAM + "```\n", encoding="utf-8")
    (src / "DOCS" / "page.md").write_text("```flowzap\n" + DIAGRAM + "```\n", encoding="utf-8")
    done, files = _report(tmp_path, src, tmp_path / "out", "--to", "mermaid")
    assert done.returncode == 1
    collided = sorted(name for name, e in files.items() if e["status"] == "failed")
    # the first in walk order (sorted by name) wins; the other is refused and named
    assert collided == ["docs/Page.md", "flow.fz", "x.fz"], collided
    for name in collided:
        assert files[name]["diagnostics"][0]["code"] == "OUTPUT_COLLISION"
    assert sorted(tree_digest(tmp_path / "out")) == ["DOCS/page.md", "Flow.mmd", "x.mmd"]


def test_the_state_file_name_is_reserved(tmp_path):
    src = _src(tmp_path)
    (src / ".flowzap-migrate.db").write_text("not a database", encoding="utf-8")
    _, files = _report(tmp_path, src, tmp_path / "out", "--to", "yaml", "--copy-other")
    assert files[".flowzap-migrate.db"]["status"] == "failed"
    assert files[".flowzap-migrate.db"]["diagnostics"][0]["code"] == "OUTPUT_COLLISION"


def test_files_given_with_dotdot_and_absolute_paths_stay_inside_dst(tmp_path):
    work = tmp_path / "work"
    src = _src(tmp_path, ("one/a.fz", "two/b.fz"))
    work.mkdir()
    out = tmp_path / "dest"
    done = flowzap_convert("migrate", "../src/one/a.fz", str(src / "two" / "b.fz"), "../dest", "--to", "yaml",
                           cwd=work)
    assert done.returncode == 0, done.stderr
    assert sorted(tree_digest(out)) == ["one/a.yaml", "two/b.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "src", "work"]


@pytest.mark.parametrize("rel", ["../x", "/etc/x", "a/../../x", "a//b", "./a", "", "a/\0b"])
def test_output_tree_refuses_paths_that_are_not_plain(tmp_path, rel):
    assert not safe_relative(rel)
    with pytest.raises(UnsafeOutput):
        OutputTree(str(tmp_path)).write(rel, b"x")
    assert list(tmp_path.iterdir()) == []


def test_collision_key_folds_case_and_unicode_forms():
    assert collision_key("Docs/\u00c9t\u00e9.md") == collision_key("docs/E\u0301te\u0301.md")  # NFC vs NFD
    assert collision_key("A.fz") == collision_key("a.FZ") and collision_key("a.fz") != collision_key("b.fz")


def test_outputs_are_written_atomically(tmp_path, monkeypatch):
    tree = OutputTree(str(tmp_path))
    tree.write("d/x.txt", b"old")
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync"))
    monkeypatch.setattr(os, "replace", lambda *a, **k: (calls.append("replace"), real_replace(*a, **k)))
    tree.write("d/x.txt", b"new")
    assert calls == ["fsync", "replace"]  # the data on disk, then the rename
    assert (tmp_path / "d" / "x.txt").read_bytes() == b"new"
    assert [p.name for p in (tmp_path / "d").iterdir()] == ["x.txt"]
    calls.clear()
    write_file(str(tmp_path / "single.txt"), b"one")  # -o FILE: the folder is synced too
    assert calls == ["fsync", "replace", "fsync"] and (tmp_path / "single.txt").read_bytes() == b"one"
