"""Train a colorization model. Thin wrapper over colorizer.training; see README "Training".

    python train.py --data ../shared/data/train --val-data ../shared/data/val \
        --arch effnet-unet --objective bins --out weights/effnet-unet.safetensors
    torchrun --nproc_per_node=2 train.py ...   # distributed (gloo on CPU, nccl on GPU)
"""
import sys

from colorizer.training import main

if __name__ == "__main__":
    sys.exit(main())
