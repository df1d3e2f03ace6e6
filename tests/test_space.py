"""The Hugging Face Space as a unit: header, deploy set, LFS routing, and a fresh environment made from
requirements.txt alone importing the app and building its Blocks."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from colorizer.demo.deploy import check_space, pinned, readme_header, space_files


def test_readme_header_matches_the_pins_and_the_app_exists():
    head = readme_header()
    assert head["sdk"] == "gradio" and head["sdk_version"] == pinned("gradio")
    assert (ROOT / head["app_file"]).is_file()
    assert check_space() == []


def test_deploy_set_is_what_the_space_needs_and_the_hub_accepts():
    files = {f.path: f for f in space_files()}
    assert {"app.py", "requirements.txt", "README.md", "weights/effnet-unet.safetensors"} <= set(files)
    assert not any(p.startswith(("tests/", "benchmarks/", ".ci/")) for p in files)
    for f in files.values():
        assert f.size <= 10 * 1024 * 1024 or f.lfs, f.path
    out = subprocess.run(["git", "check-attr", "filter", "--", "weights/inception-fusion.safetensors"], cwd=ROOT,
                         capture_output=True, text=True).stdout
    assert out.strip().endswith("lfs")


def test_deploy_script_dry_run_lists_and_refuses(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "deploy_space.py"), "me/colorizer", "--dry-run"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "weights/effnet-unet.safetensors" in r.stdout and "dry run: nothing uploaded" in r.stdout
    from colorizer.demo.deploy import SpaceFile
    assert "not routed to LFS" in SpaceFile("big.bin", 11 * 1024 * 1024, lfs=False).problem
    assert SpaceFile("big.bin", 11 * 1024 * 1024, lfs=True).problem is None


@pytest.mark.skipif(os.environ.get("COLORIZER_SPACE_VENV") != "1",
                    reason="installs torch and its CUDA wheels into a new venv (about 10 min here, past CI's budget): "
                           "run with COLORIZER_SPACE_VENV=1")
def test_fresh_environment_from_requirements_alone_builds_the_app(tmp_path):
    """A new virtual environment, `pip install -r requirements.txt` (no dev requirements), then import app and
    build the Blocks, as a Space does at start-up."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    pip = subprocess.run([str(py), "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements.txt")],
                         capture_output=True, text=True, timeout=900)
    assert pip.returncode == 0, pip.stderr[-3000:]
    code = ("import app, gradio as gr; b = app.build(); assert isinstance(b, gr.Blocks); "
            "print('endpoints', sorted(k for k in b.get_api_info()['named_endpoints']))")
    r = subprocess.run([str(py), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                       env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")})
    assert r.returncode == 0, r.stderr[-3000:]
    assert "/colorize" in r.stdout


def _readme_git_route() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## Deploy to Hugging Face Spaces", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_dry_run_command_is_the_one_tested():
    section = (ROOT / "README.md").read_text().split("## Deploy to Hugging Face Spaces", 1)[1].split("\n## ", 1)[0]
    assert "python scripts/deploy_space.py USER/SPACE --dry-run" in section  # what the dry-run test above runs


def test_readme_git_route_puts_every_large_file_through_lfs(tmp_path):
    """The README's git commands, run in a fresh clone up to (not including) the push: the branch they make
    holds every file over 10 MB as an LFS pointer and no plain blob over 10 MB."""
    if subprocess.run(["git", "lfs", "version"], capture_output=True).returncode != 0:
        pytest.skip("git-lfs is not installed (apt-get install git-lfs)")
    clone = tmp_path / "space"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=300)
    subprocess.run(["git", "checkout", "-q", "-B", "main"], cwd=clone, check=True)
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    for line in _readme_git_route():
        if line.startswith("git push"):
            break
        subprocess.run(line, shell=True, cwd=clone, check=True, env=env, timeout=300, capture_output=True)
    lfs = set(subprocess.run(["git", "lfs", "ls-files", "-n"], cwd=clone, capture_output=True, text=True,
                             check=True).stdout.split())
    tree = subprocess.run(["git", "ls-tree", "-r", "-l", "HEAD"], cwd=clone, capture_output=True, text=True,
                          check=True).stdout.splitlines()
    sizes = {line.split("\t")[1]: int(line.split()[3]) for line in tree}
    large = {p for p in sizes if (clone / p).stat().st_size > 10 * 1024 * 1024}
    assert large and large <= lfs                         # the big checkpoints go through LFS
    assert max(sizes.values()) < 10 * 1024 * 1024         # and no blob in the pushed commit is over 10 MB
    log = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=clone, capture_output=True, text=True).stdout
    assert log.strip() == "1"                             # one commit: no old plain blobs in its history
