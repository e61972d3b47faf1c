"""Shards: N shard builds merged equal one build, byte for byte; merge refuses what does not fit."""

from __future__ import annotations

import os
import re

import pytest

from bench.synthetic import write_programme
from ksm_site.engine.build import build
from ksm_site.engine.build import merge
from ksm_site.engine.shards import ShardError, shard_of
from ksm_site.commands.cli import main

from conftest import TODAY, files_under

GROUPS = 30


def shard_bundles(content, tmp_path, shards: int, **kwargs) -> list[str]:
    """Build every shard with a cache of its own, as separate CI jobs would; their bundles."""
    bundles = []
    for k in range(1, shards + 1):
        built, stats = build(str(content), str(tmp_path / "unused"), TODAY, jobs=1,
                                      cache_dir=str(tmp_path / f"cache-{k}"), shard=(k, shards), **kwargs)
        assert stats is None and built.bundle and os.path.isfile(built.bundle)
        bundles.append(built.bundle)
    assert not (tmp_path / "unused").exists()  # a shard writes no site
    return bundles


@pytest.mark.parametrize("shards", [1, 3])
def test_merged_shards_equal_a_single_build(tmp_path, shards):
    content = write_programme(tmp_path / "content", GROUPS, seed=3)
    build(str(content), str(tmp_path / "single"), TODAY, jobs=1, cache_dir=str(tmp_path / "cache"))
    bundles = shard_bundles(content, tmp_path, shards)
    built, _ = merge(bundles, str(content), str(tmp_path / "merged"), TODAY, jobs=1,
                              cache_dir=str(tmp_path / "merge-cache"))
    assert built.rendered == 0  # every group came from a shard
    assert files_under(tmp_path / "merged") == files_under(tmp_path / "single")


def test_every_group_is_in_exactly_one_shard(tmp_path):
    content = write_programme(tmp_path / "content", GROUPS, seed=3)
    rendered = [build(str(content), "", TODAY, jobs=1, cache_dir=str(tmp_path / f"c{k}"),
                               shard=(k, 4))[0].rendered for k in range(1, 5)]
    assert sum(rendered) == GROUPS


def test_shard_of_is_a_stable_hash_of_the_id():
    """Fixed values: a shard must hold the same groups on any machine, Python version or PYTHONHASHSEED."""
    ids = ["kab-madiun/jiwan/ksm-maju", "kota-madiun/taman/ksm-pandean-asri", "a/b/c"]
    assert [shard_of(i, 7) for i in ids] == [2, 7, 3]
    assert all(shard_of(i, 1) == 1 for i in ids)


def test_merge_refuses_missing_foreign_or_mixed_shards(tmp_path, capsys):
    content = write_programme(tmp_path / "content", GROUPS, seed=3)
    bundles = shard_bundles(content, tmp_path, 3)
    out = str(tmp_path / "merged")
    with pytest.raises(ShardError, match="shards 1 to 3"):
        merge(bundles[:2], str(content), out, TODAY, jobs=1)
    with pytest.raises(ShardError, match="shards 1 to 3"):
        merge([bundles[0], *bundles], str(content), out, TODAY, jobs=1)
    other = build(str(content), "", TODAY, jobs=1, cache_dir=str(tmp_path / "other"), shard=(1, 2))[0]
    with pytest.raises(ShardError, match="different splits"):
        merge([*bundles, other.bundle], str(content), out, TODAY, jobs=1)
    path = sorted((content / "groups").rglob("*.md"))[0]
    path.write_text(re.sub(r"^nama: .*$", "nama: KSM Lain", path.read_text(), count=1, flags=re.M))
    with pytest.raises(ShardError, match="other content"):
        merge(bundles, str(content), out, TODAY, jobs=1)
    assert not os.path.exists(out)
    assert main(["merge", *bundles, "--content", str(content), "--out", out, "--no-cache"]) == 2
    assert "other content" in capsys.readouterr().err


def test_shard_and_merge_from_the_command_line(tmp_path, capsys):
    content = write_programme(tmp_path / "content", GROUPS, seed=5)
    bundles = []
    for k in (1, 2):
        assert main(["build", "--content", str(content), "--cache", str(tmp_path / f"c{k}"), "--shard", f"{k}/2"]) == 0
        bundles.append(str(tmp_path / f"c{k}" / "shards" / f"shard-{k}-of-2.sqlite"))
    assert main(["merge", *bundles, "--content", str(content), "--out", str(tmp_path / "site"),
                 "--cache", str(tmp_path / "m")]) == 0
    assert main(["build", "--content", str(content), "--out", str(tmp_path / "single"), "--no-cache"]) == 0
    assert files_under(tmp_path / "site") == files_under(tmp_path / "single")
    assert main(["build", "--content", str(content), "--shard", "1/2", "--no-cache"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["build", "--content", str(content), "--shard", "3/2"])
    assert exc.value.code == 2
