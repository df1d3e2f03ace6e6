"""What a Hugging Face Space of this demo is made of, and the checks the Hub would make of it.

The Space runs `app.py` with the SDK named in README.md's YAML header and installs `requirements.txt`.
It needs the app, the library, the shipped checkpoints and their cards, the examples and the README;
not the tests, benchmarks, training scripts or CI. The Hub refuses, in a plain git push, files over
10 MB that are not stored through LFS/Xet: `.gitattributes` routes the checkpoints there, and
`huggingface_hub.HfApi.upload_folder` (scripts/deploy_space.py) uploads large files that way itself.
"""
from __future__ import annotations

import fnmatch
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB_PLAIN_LIMIT = 10 * 1024 * 1024      # bytes: larger files must be LFS/Xet
HUB_FILE_LIMIT = 50 * 1024 ** 3          # bytes: the Hub's largest single file
# the Space: what the app needs at run time
INCLUDE = ("app.py", "README.md", "requirements.txt", ".gitattributes", "colorizer/*", "weights/*",
           "examples/*", "docs/*")
EXCLUDE = ("*.pyc", "*/__pycache__/*", "weights/eval_*.json")


@dataclass
class SpaceFile:
    path: str
    size: int
    lfs: bool  # routed to LFS by .gitattributes

    @property
    def problem(self) -> str | None:
        if self.size > HUB_FILE_LIMIT:
            return f"{self.path}: {self.size / 1e9:.1f} GB, over the Hub's limit for one file"
        if self.size > HUB_PLAIN_LIMIT and not self.lfs:
            return (f"{self.path}: {self.size / 1e6:.1f} MB and not routed to LFS in .gitattributes "
                    f"(a Space push refuses plain files over 10 MB)")
        return None


def readme_header(root: Path = ROOT) -> dict[str, str]:
    """The flat `key: value` pairs of README.md's YAML front matter (all a Space's header uses)."""
    text = (root / "README.md").read_text()
    m = re.match(r"^---\n(.*?)\n---\n", text, re.S)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        if ":" in line and not line.startswith(" "):
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip().strip('"')
    return out


def pinned(requirement: str, root: Path = ROOT) -> str | None:
    """The version requirements.txt pins for a package (extras ignored), or None."""
    for line in (root / "requirements.txt").read_text().splitlines():
        m = re.match(rf"^{re.escape(requirement)}(\[[^\]]*\])?==([^\s#]+)", line.strip())
        if m:
            return m.group(2)
    return None


def _lfs_routed(paths: list[str], root: Path) -> set[str]:
    if not paths:
        return set()
    out = subprocess.run(["git", "check-attr", "filter", "--", *paths], cwd=root, capture_output=True, text=True)
    routed = set()
    for line in out.stdout.splitlines():
        path, _, value = line.rsplit(": ", 2)
        if value.strip() == "lfs":
            routed.add(path)
    return routed


def space_files(root: Path = ROOT) -> list[SpaceFile]:
    """The deploy set: tracked files (git ls-files) that the Space needs, with their sizes and LFS routing."""
    tracked = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split("\n")
    chosen = [p for p in tracked if p and any(fnmatch.fnmatch(p, pat) for pat in INCLUDE)
              and not any(fnmatch.fnmatch(p, pat) for pat in EXCLUDE) and (root / p).is_file()]
    routed = _lfs_routed(chosen, root)
    return [SpaceFile(p, (root / p).stat().st_size, p in routed) for p in sorted(chosen)]


def check_space(root: Path = ROOT) -> list[str]:
    """Everything the Hub (or the Space's start) would reject, as readable lines; empty when it is fine."""
    problems = [f.problem for f in space_files(root) if f.problem]
    head = readme_header(root)
    for key in ("sdk", "sdk_version", "app_file"):
        if key not in head:
            problems.append(f"README.md header has no `{key}`")
    if head.get("app_file") and not (root / head["app_file"]).is_file():
        problems.append(f"README.md names app_file {head['app_file']!r}, which does not exist")
    if head.get("sdk") == "gradio" and head.get("sdk_version") != pinned("gradio", root):
        problems.append(f"README.md sdk_version {head.get('sdk_version')} is not the pinned gradio "
                        f"{pinned('gradio', root)} (requirements.txt)")
    return problems
