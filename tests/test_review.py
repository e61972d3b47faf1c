"""The CI workflow and the review rules: what runs on a pull request, what deploys, who reviews."""

from __future__ import annotations

import fnmatch
import re

import pytest
import yaml

from conftest import ROOT

WORKFLOW_PATH = ROOT / ".github" / "workflows" / "site.yml"
CODEOWNERS_PATH = ROOT / ".github" / "CODEOWNERS"
PINNED = {
    "actions/checkout": "v4", "actions/setup-python": "v5", "actions/upload-artifact": "v4",
    "actions/configure-pages": "v5", "actions/upload-pages-artifact": "v3", "actions/deploy-pages": "v4",
    "actions/cache": "v4", "actions/cache/restore": "v4",
}


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load(WORKFLOW_PATH.read_text())


def steps_using(job: dict, action: str) -> list[dict]:
    return [s for s in job["steps"] if s.get("uses", "").split("@")[0] == action]


def runs(job: dict) -> str:
    return "\n".join(s.get("run", "") for s in job["steps"])


def test_triggers_are_pull_requests_and_pushes_to_main(workflow):
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push"}
    assert triggers["push"] == {"branches": ["main"]}
    code = re.sub(r"#.*", "", WORKFLOW_PATH.read_text())
    assert "pull_request_target" not in code
    assert "secrets" not in code  # no secret is handed to any step


def test_least_privilege(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    for name, job in jobs.items():
        if name != "deploy":
            assert "permissions" not in job, name
    assert jobs["deploy"]["concurrency"]["group"] == "pages"
    assert jobs["deploy"]["needs"] == "build"
    assert jobs["deploy"]["environment"]["name"] == "github-pages"


def test_every_action_is_pinned_to_a_commit_with_its_version(workflow):
    used = set()
    for line in WORKFLOW_PATH.read_text().splitlines():
        if "uses:" not in line:
            continue
        match = re.fullmatch(r"\s*(?:- )?uses: ([\w.-]+/[\w.-]+(?:/[\w.-]+)*)@([0-9a-f]{40}) # (v\d+(?:\.\d+)*)", line)
        assert match, line
        action, _, version = match.groups()
        assert version.split(".")[0] == PINNED[action], line
        used.add(action)
    assert used == set(PINNED)


def test_pull_requests_check_build_compare_and_upload(workflow):
    job = workflow["jobs"]["pull-request"]
    assert job["if"] == "github.event_name == 'pull_request'"
    checkout = steps_using(job, "actions/checkout")[0]
    assert checkout["with"]["fetch-depth"] == 0
    assert steps_using(job, "actions/setup-python")[0]["with"]["cache"] == "pip"
    commands = runs(job)
    assert "python build.py check --format github" in commands
    assert "python build.py build" in commands
    diff = next(s for s in job["steps"] if "build.py diff" in s.get("run", ""))
    assert '"origin/$BASE_REF"' in diff["run"] and '>> "$GITHUB_STEP_SUMMARY"' in diff["run"]
    assert diff["env"] == {"BASE_REF": "${{ github.base_ref }}"}  # never ${{ }} inside the script itself
    assert steps_using(job, "actions/upload-artifact")[0]["with"]["path"] == "output/"
    order = [s.get("run", s.get("uses", "")) for s in job["steps"]]
    assert [i for i, c in enumerate(order) if "check --format" in c][0] < [i for i, c in enumerate(order) if c.endswith("build")][0]


def test_pushes_to_main_build_then_deploy(workflow):
    build = workflow["jobs"]["build"]
    assert build["if"] == "github.event_name == 'push'"
    assert steps_using(build, "actions/setup-python")[0]["with"]["cache"] == "pip"
    assert "python build.py build" in runs(build)
    assert steps_using(build, "actions/upload-pages-artifact")[0]["with"]["path"] == "output/"
    deploy = workflow["jobs"]["deploy"]
    assert steps_using(deploy, "actions/configure-pages")
    assert steps_using(deploy, "actions/deploy-pages")[0]["id"] == "deployment"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"


def test_main_keeps_the_build_cache_and_pull_requests_only_read_it(workflow):
    jobs = workflow["jobs"]
    kept = steps_using(jobs["build"], "actions/cache")
    restored = steps_using(jobs["pull-request"], "actions/cache/restore")
    assert len(kept) == 1 and len(restored) == 1
    for step in kept + restored:
        assert step["with"]["path"] == ".cache/ksm-site"  # the build's default --cache
        assert step["with"]["key"] == "ksm-site-${{ github.sha }}"
        assert step["with"]["restore-keys"] == "ksm-site-"
    for job, cached in ((jobs["build"], kept[0]), (jobs["pull-request"], restored[0])):
        order = [s.get("run", s.get("uses", "")) for s in job["steps"]]
        assert order.index(cached["uses"]) < order.index("python build.py build")
    # a pull request never saves a cache
    assert not steps_using(jobs["pull-request"], "actions/cache")
    assert not steps_using(jobs["pull-request"], "actions/cache/save")


def codeowners() -> list[tuple[str, list[str]]]:
    rules = []
    for line in CODEOWNERS_PATH.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            pattern, *owners = line.split()
            rules.append((pattern, owners))
    return rules


def owners_of(path: str) -> list[str]:
    """The owners GitHub assigns: the last rule that matches (only the pattern forms used here)."""
    found: list[str] = []
    for pattern, owners in codeowners():
        if pattern == "*":
            matches = True
        elif pattern.endswith("/"):
            matches = ("/" + path).startswith(pattern)
        else:
            matches = fnmatch.fnmatchcase("/" + path, pattern)
        if matches:
            found = owners
    return found


MAINTAINERS = ["@ksm-site/maintainers"]


@pytest.mark.parametrize("path", [
    "content/rubric.yaml", "content/site.yaml", "templates/base.html", "templates/static/style.css",
    "ksm_site/commands/cli.py", ".github/workflows/site.yml", ".github/CODEOWNERS", "README.md",
    "content/groups/kabupaten-baru/x/ksm-a.md",  # an area without coordinators yet
])
def test_maintainers_alone_review_the_rules_the_code_and_the_checks(path):
    assert owners_of(path) == MAINTAINERS


@pytest.mark.parametrize("path, team", [
    ("content/groups/kab-madiun/jiwan/ksm-sri-rejeki.md", "@ksm-site/koordinator-kab-madiun"),
    ("content/groups/kab-madiun/mejayan/ksm-wijaya-kusuma.yaml", "@ksm-site/koordinator-kab-madiun"),
    ("content/groups/kota-madiun/taman/ksm-kasih-ibu.md", "@ksm-site/koordinator-kota-madiun"),
])
def test_area_coordinators_review_their_groups(path, team):
    owners = owners_of(path)
    assert team in owners and set(owners) <= {team, *MAINTAINERS}
