"""The publishing workflow and the CI script agree, and both run the README.

GitHub Actions cannot run here, so .github/workflows/publish.yml is checked
statically: it parses, its build job runs .ci/run unchanged (so it runs exactly
what CI runs) and uploads _build/html, and its deploy job publishes that with
actions/deploy-pages, from main only. .ci/run in turn must run the README's
quick start, install axe-core from its lock file, and end with pytest and the
portability pass (strict nbval again, NumPy's SIMD dispatch at its baseline).
"""
from __future__ import annotations

import json
import re
import shlex
import subprocess

import yaml

from booktools import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"
CI_RUN = ROOT / ".ci" / "run"
NODE = ROOT / ".ci" / "node"


def load_workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True
    data["on"] = data.pop(True, data.get("on"))
    return data


def uses(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def test_workflow_triggers_on_main():
    on = load_workflow()["on"]
    assert "main" in on["push"]["branches"]


def test_build_job_runs_the_ci_script_and_uploads_the_site():
    build = load_workflow()["jobs"]["build"]
    assert str(build["env"]["CI"]).lower() == "true", "browser tests must fail, not skip, in the workflow"
    assert "bookworm" in build["container"] and "3.11" in build["container"], (
        "the build runs in Debian bookworm with Python 3.11, like the machines .ci/run is written for")
    steps = build["steps"]
    assert uses(steps[0]) == "actions/checkout"
    runs = [s["run"].strip() for s in steps if "run" in s]
    assert runs == ["bash .ci/run"], f"the build job must run .ci/run and nothing else: {runs}"
    upload = [s for s in steps if uses(s) == "actions/upload-pages-artifact"]
    assert len(upload) == 1 and upload[0]["with"]["path"] == "_build/html"
    assert steps.index(upload[0]) > steps.index(next(s for s in steps if "run" in s))


def test_deploy_job_publishes_to_pages_from_main_only():
    workflow = load_workflow()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [uses(s) for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert workflow["permissions"] == {"contents": "read"}, "the build job needs no write access"


def test_every_action_is_pinned_to_a_version():
    for name, job in load_workflow()["jobs"].items():
        for step in job["steps"]:
            if "uses" in step:
                assert re.search(r"@v\d+$|@[0-9a-f]{40}$", step["uses"]), f"{name}: unpinned {step['uses']}"


def readme_quick_start() -> list[list[str]]:
    """The commands of the README's quick-start code block, as token lists."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.split("#", 1)[0].strip()]


def ci_commands() -> list[list[str]]:
    """The command lines of .ci/run, as token lists, without `-q` (quiet) flags."""
    lines = []
    for line in CI_RUN.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "echo ")):
            lines.append([t for t in shlex.split(line, comments=True) if t != "-q"])
    return lines


def test_ci_runs_the_readme_quick_start_in_order():
    commands = ci_commands()
    positions = []
    for wanted in readme_quick_start():
        at = [i for i, c in enumerate(commands) if c[:len(wanted)] == wanted]
        assert at, f".ci/run does not run the README's `{' '.join(wanted)}`"
        positions.append(at[0])
    assert positions == sorted(positions), "the README's commands run in another order in .ci/run"
    # pytest, then the portability pass, which is pytest on the notebooks again
    # (tests/tools/portability.py): a pytest summary is the last line either way
    assert commands[-2:] == [["pytest"], ["python", "tests/tools/portability.py"]], (
        "CI must end with pytest and then the portability pass")
    assert ["rm", "-rf", "_build"] in commands, "CI must build from a clean _build"


def test_ci_installs_axe_core_from_the_lock_file():
    assert any(c[:2] == ["npm", "ci"] and ".ci/node" in c for c in ci_commands())
    package = json.loads((NODE / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((NODE / "package-lock.json").read_text(encoding="utf-8"))
    version = package["dependencies"]["axe-core"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"axe-core must be pinned exactly, not {version!r}"
    assert lock["packages"]["node_modules/axe-core"]["version"] == version
    assert lock["packages"][""]["dependencies"] == package["dependencies"]
    assert ".ci/node/node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_ci_script_is_valid_bash():
    run = subprocess.run(["bash", "-n", str(CI_RUN)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
