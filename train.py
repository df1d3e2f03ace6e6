"""Train a colorization model. Thin wrapper over colorizer.train.trainer; see README "Training".

    python train.py --data ../shared/data/train --val-data ../shared/data/val \
        --arch effnet-unet --objective bins --out weights/effnet-unet.safetensors
    torchrun --nproc_per_node=2 train.py ...   # distributed (gloo on CPU, nccl on GPU)
    python train.py tone --state-dir recipes/tone-v1 ...   # the tone-restoration network (colorizer.train.tone)
    python train.py old-print --out ...                    # the old-print judgement (colorizer.train.old_print)
    python train.py repair --state-dir recipes/repair-v2 ... # the defect detector (colorizer.train.repair)
    python train.py inpaint --state-dir recipes/fill-v1 ...  # the learned fill of wide damage (colorizer.train.inpaint)
"""
import sys

from colorizer.train.trainer import main

if __name__ == "__main__":
    if sys.argv[1:2] == ["tone"]:
        from colorizer.train.tone import main as tone_main
        sys.exit(tone_main(sys.argv[2:]))
    if sys.argv[1:2] == ["old-print"]:
        from colorizer.train.old_print import main as print_main
        sys.exit(print_main(sys.argv[2:]))
    if sys.argv[1:2] == ["repair"]:
        from colorizer.train.repair import main as repair_main
        sys.exit(repair_main(sys.argv[2:]))
    if sys.argv[1:2] == ["inpaint"]:
        from colorizer.train.inpaint import main as fill_main
        sys.exit(fill_main(sys.argv[2:]))
    sys.exit(main())
