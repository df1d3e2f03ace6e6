"""Everything only training needs, none of it imported by the pipeline: the trainer (`trainer`, its `step`,
`state`, `data`, `validation` and `losses`) and the trainers of the pipeline's helper networks (`tone`, the
tone restoration; `old_print`, the old-print judgement). `python train.py` is the command."""
