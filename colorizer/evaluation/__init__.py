"""`python -m colorizer evaluate` and what it measures with: the metrics (`metrics`), the ImageNet
agreement column (`semantic`), the seeded aging of a photo into an old print (`aging`, which training reads
too) and the figures drawn beside the tables (`figures`)."""
