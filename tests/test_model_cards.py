"""scripts/make_model_cards.py: what a card says of the training behind a checkpoint, from its metadata alone."""
import importlib.util

from conftest import ROOT

spec = importlib.util.spec_from_file_location("make_model_cards", ROOT / "scripts/make_model_cards.py")
cards = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cards)


def _training(steps: int, stretches: list[tuple[int, int, float, str]]) -> dict:
    return {"steps": steps, "epochs": steps / 1000, "wall_minutes": sum(s[2] for s in stretches), "train_images": 32000,
            "config": {"steps": steps, "data": "DATA/train", "lr": 3e-4},
            "stretches": [{"start_step": a, "end_step": b, "minutes": m, "git": "abc1234", "started": "2026-11-25 12:00",
                           "command": cmd} for a, b, m, cmd in stretches]}


def test_an_ensemble_card_lists_every_stretch_of_every_member():
    first = _training(800, [(0, 300, 60.0, "train.py --seed 5 FIRST-A"), (300, 800, 90.0, "train.py --seed 5 FIRST-B")])
    second = _training(600, [(0, 200, 30.0, "train.py --seed 6 SECOND-A"), (200, 500, 45.0, "train.py --seed 6 SECOND-B"),
                             (500, 600, 15.0, "train.py --seed 6 SECOND-C")])
    meta = {"ensemble": {"of": ["a.safetensors", "b.safetensors"], "rule": "predictions averaged",
                         "members": [{"path": "a.safetensors", "training": first, "git_commit": "111"},
                                     {"path": "b.safetensors", "training": second, "git_commit": "222"}]}}
    text = "\n".join(cards.combined_section(meta, "effnet-unet"))
    for cmd in ("FIRST-A", "FIRST-B", "SECOND-A", "SECOND-B", "SECOND-C"):
        assert f"--seed {5 if cmd.startswith('FIRST') else 6} {cmd}`" in text, cmd
    assert "| 1 | 2026-11-25 12:00 | 0-300 | 0.30 | 1.00 |" in text  # steps, epochs, hours of the first stretch
    assert "**2.50 h**" in text and "**1.50 h**" in text  # each member's hours in all
    assert text.index("FIRST-B") < text.index("`b.safetensors`") < text.index("SECOND-A")  # under its own member


def test_a_run_in_one_stretch_has_no_stretch_table():
    assert cards.stretches_section({"training": _training(300, [(0, 300, 60.0, "train.py")])}) == []
    assert cards.combined_section({}, "effnet-unet") == []



def test_a_routed_checkpoint_cards_its_partner_and_its_judgement(tmp_path):
    """A checkpoint that routes photos (colorizer.routing) gets the card of what colorizes the photos it
    does not call old prints, and of the judgement that decides, with its validation and threshold."""
    import shutil

    from colorizer.routing import PrintNet, save_detector
    weights = ROOT / "weights"
    for src, dst in ((weights / "effnet-unet.safetensors", "routed"), (weights / "resnet-mid.safetensors", "partner")):
        shutil.copy(src, tmp_path / f"{dst}.safetensors")
    save_detector(tmp_path / "judge.safetensors", PrintNet(8), {  # what `train.py old-print` writes beside its weights
        "kind": "old-print detector", "threshold": 0.5, "minutes": 20.0, "date": "2026-11-26",
        "val": {"auc": 0.9492, "clean_to_old_print": 0.3, "aged_to_old_print": 0.97, "images": 300},
        "training": {"data": "../shared/data/train", "val_data": "../shared/data/val", "photos": 1200, "crop": 128,
                     "epochs": 30, "out": "recipes/old-print-v1/model.safetensors"}})
    meta = {"clean_partner": {"checkpoint": "partner", "detector": "judge", "threshold": 0.1}}
    text = "\n".join(cards.routed_cards(tmp_path / "routed.safetensors", meta))
    assert "## partner" in text and "## judge" in text and "scores under 0.1" in text
    assert "AUC 0.9492" in text and "- reproduce: `bash recipes/old-print-v1.sh`" in text
    assert "python train.py" in text  # the partner's own training command
    assert [str(p.name) for p in cards.partner_files(tmp_path / "routed.safetensors", meta)] == [
        "partner.safetensors", "judge.safetensors"]
    assert cards.routed_cards(tmp_path / "routed.safetensors", {}) == []


def test_the_real_old_photographs_table_goes_before_the_cards_and_replaces_an_earlier_one():
    text = "# Model cards\n\n### Validation\n\n| a |\n\n## effnet-unet\n\ncard\n"
    once = cards.insert_section(text, "Real old", ["### Real old: cmd", "", "| v1 |", ""])
    assert once.index("### Real old") < once.index("## effnet-unet") and "| v1 |" in once
    twice = cards.insert_section(once, "Real old", ["### Real old: cmd", "", "| v2 |", ""])
    assert "| v1 |" not in twice and twice.count("### Real old") == 1 and twice.endswith("card\n")


def test_the_old_photo_decoding_its_judgement_and_the_repair_network_get_cards(tmp_path):
    """A checkpoint with two decodings cards how the old-photo one was chosen and the judgement that picks it;
    the repair network has its own card; a card is replaced in place, or appended."""
    from colorizer.repair import DefectNet, save_repairer
    from colorizer.routing import PrintNet, save_detector
    save_detector(tmp_path / "judge.safetensors", PrintNet(8), {
        "kind": "old-photo judgement", "threshold": 0.23, "minutes": 2.0, "date": "2026-11-27", "analysis_side": 192,
        "val": {"auc": 0.5, "clean_to_old_print": 0.047, "aged_to_old_print": 0.03, "real_old_to_old_print": 0.86,
                "clean_unseen_to_old_print": 0.22},
        "training": {"data": "train", "photos": 3000, "real_old": "train/historical", "real_copies": 2, "epochs": 30,
                     "clean_share": 0.05, "real_val": "val-historical", "clean_val": "val-ood",
                     "out": "weights/old-photo.safetensors"}})
    meta = {"old_photo": {"decode": {"confidence": 25.0}, "detector": "judge", "threshold": 0.23, "tuning": {
        "data": "val-historical", "images": 332, "chosen_by": "least wash at no loss", "rule": "the rule",
        "scores": {"psnr": 22.56, "ciede2000": 11.02, "wash": 0.016, "dcf": 29.0},
        "modern_scores": {"psnr": 22.51, "ciede2000": 11.19, "wash": 0.055, "dcf": 16.2}}}}
    text = "\n".join(cards.old_photo_cards(tmp_path / "effnet-unet.safetensors", meta))
    assert "`effnet-unet` decodes old photos" in text and "## judge" in text and "0.016" in text and "0.055" in text
    assert "`val-historical` 0.86" in text and "short side of 192 px" in text
    assert cards.old_photo_cards(tmp_path / "x.safetensors", {}) == []
    save_repairer(tmp_path / "repair.safetensors", DefectNet(4), {
        "threshold": 0.6, "rule": "best F1", "date": "2026-11-27",
        "val": {"f1": 0.8, "precision": 0.85, "recall": 0.75, "clean_flagged": 0.0005},
        "training": {"data": "train", "crop": 128, "max_side": 256, "clean_p": 0.15, "aging_p": 0.6, "steps": 3000,
                     "batch_size": 32, "lr": 0.003, "max_clean_flag": 0.001, "state_dir": "recipes/repair-v1"}})
    card = cards.repair_card(tmp_path / "repair.safetensors")
    assert card[0] == "## repair" and "F1 0.800" in "\n".join(card) and "recipes/repair-v1.sh" in "\n".join(card)
    base = "# Model cards\n\n## effnet-unet\n\nold\n\n## tone\n\ntone card"
    once = cards.replace_card(base, "repair", card)
    assert once.rstrip().endswith(card[-2]) and once.count("## repair") == 1
    twice = cards.replace_card(once, "effnet-unet", ["## effnet-unet", "", "new", ""])
    assert "new" in twice and "\nold\n" not in twice and "## tone" in twice and "## repair" in twice
