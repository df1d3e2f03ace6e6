"""The Hugging Face Space as a unit: header, deploy set, LFS routing, and a fresh environment made from
requirements.txt alone importing the app and building its Blocks."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from colorizer.deploy import check_space, pinned, readme_header, space_files


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
    from colorizer.deploy import SpaceFile
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
