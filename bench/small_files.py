#!/usr/bin/python3
"""Writes COUNT files of 1-8 KiB of random bytes under ROOT in 50 folders,
the same ones every run (seeded): the small-files input of the benches.
    bench/small_files.py ROOT COUNT"""
import os, random, sys

root, count = sys.argv[1], int(sys.argv[2])
random.seed(1)
for i in range(count):
    folder = os.path.join(root, "d%02d" % (i % 50))
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "f%05d.txt" % i), "wb") as f:
        f.write(random.randbytes(random.randint(1024, 8192)))
