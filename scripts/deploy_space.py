"""Upload the demo to a Hugging Face Space with huggingface_hub (no local git-lfs needed: upload_folder
stores large files through LFS/Xet itself).

    python scripts/deploy_space.py USER/SPACE --dry-run     # list exactly what would go, check it, upload nothing
    HF_TOKEN=... python scripts/deploy_space.py USER/SPACE  # create the Space if needed and upload

Refuses (exit 2) when anything would be rejected: a plain file over 10 MB not routed to LFS, a README
header without sdk / sdk_version / app_file, or an sdk_version other than the pinned gradio.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from colorizer.demo.deploy import check_space, space_files  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("space", help="USER/SPACE on the Hub")
    ap.add_argument("--dry-run", action="store_true", help="list and check the files, upload nothing")
    ap.add_argument("--private", action="store_true", help="create the Space private")
    args = ap.parse_args(argv)
    files = space_files(ROOT)
    total = sum(f.size for f in files)
    for f in files:
        print(f"{f.size / 1e6:9.2f} MB  {'lfs  ' if f.lfs else 'plain'}  {f.path}")
    print(f"{len(files)} files, {total / 1e6:.1f} MB")
    problems = check_space(ROOT)
    for p in problems:
        print(f"refused: {p}", file=sys.stderr)
    if problems:
        return 2
    if args.dry_run:
        print("dry run: nothing uploaded")
        return 0
    from huggingface_hub import HfApi
    api = HfApi()
    api.create_repo(args.space, repo_type="space", space_sdk="gradio", private=args.private, exist_ok=True)
    api.upload_folder(repo_id=args.space, repo_type="space", folder_path=str(ROOT),
                      allow_patterns=[f.path for f in files], commit_message="Deploy the colorizer demo")
    print(f"uploaded to https://huggingface.co/spaces/{args.space}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
