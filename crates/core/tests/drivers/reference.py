"""Reference computation for core's key drivers (crates/core/src/drivers.rs).

Johnson's (2000) relative weights computed the way the paper does, from the
singular value decomposition of the standardised predictors (not from the
eigen-decomposition of their correlation matrix, as the Rust code does), and
the standardised coefficients by least squares on z-scores. The Rust test
(crates/core/tests/it/drivers.rs) embeds what this prints.

Re-run (prints what reference.txt holds):

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy
    /tmp/venv/bin/python crates/core/tests/drivers/reference.py > crates/core/tests/drivers/reference.txt

`--generate` rewrites data.csv (numpy's default_rng, seed 19); the committed
data.csv is what the test reads, so do not regenerate without updating both.
"""

import csv
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data.csv")
DIMS = ["empathy", "process_convenience", "value", "trust"]


def generate():
    rng = np.random.default_rng(19)
    n = 80
    common = rng.normal(size=n)
    cols = []
    for k in range(4):
        raw = 60 + 15 * (0.6 * common + 0.8 * rng.normal(size=n))
        # Kiosk dimension scores are means of 1-5 ratings: steps of 12.5.
        cols.append(np.clip(np.round(raw / 12.5) * 12.5, 0, 100))
    x = np.column_stack(cols)
    sat = 1 + 4 * (0.7 * x[:, 0] + 0.1 * x[:, 1] + 0.2 * x[:, 3]) / 100 + rng.normal(scale=0.6, size=n)
    sat = np.clip(np.round(sat), 1, 5)
    nps = 10 * (0.2 * x[:, 0] + 0.6 * x[:, 2] + 0.2 * x[:, 3]) / 100 + rng.normal(scale=1.5, size=n)
    nps = np.clip(np.round(nps), 0, 10)
    with open(DATA, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(DIMS + ["satisfaction", "nps"])
        for i in range(n):
            w.writerow([f"{v:g}" for v in x[i]] + [f"{sat[i]:g}", f"{nps[i]:g}"])


def relative_weights(x, y):
    """Johnson (2000): X = P D Q'; Z = P Q' is the orthogonal matrix closest
    to X; y is regressed on Z (beta) and X on Z (Lambda*); eps_j = sum_k
    Lambda*_jk^2 beta_k^2."""
    zx = (x - x.mean(0)) / x.std(0)
    zy = (y - y.mean()) / y.std()
    n = len(y)
    p, d, qt = np.linalg.svd(zx / np.sqrt(n), full_matrices=False)
    z = p @ qt  # orthonormal columns (scaled by sqrt(n) below)
    z = z * np.sqrt(n)
    beta = np.linalg.lstsq(z, zy, rcond=None)[0]
    lam = np.linalg.lstsq(z, zx, rcond=None)[0]  # X on Z: lam[k, j]
    eps = (lam.T ** 2) @ (beta ** 2)
    b = np.linalg.lstsq(zx, zy, rcond=None)[0]
    resid = zy - zx @ b
    r2 = 1 - resid @ resid / (zy @ zy)
    return r2, eps, b


def main():
    if "--generate" in sys.argv:
        generate()
    data = np.loadtxt(DATA, delimiter=",", skiprows=1)
    x = data[:, :4]
    for name, col in (("satisfaction", 4), ("nps", 5)):
        r2, eps, b = relative_weights(x, data[:, col])
        print(f"{name} r2 {r2:.12f}")
        print(f"{name} weights " + " ".join(f"{e:.12f}" for e in eps))
        print(f"{name} shares " + " ".join(f"{100 * e / r2:.12f}" for e in eps))
        print(f"{name} betas " + " ".join(f"{v:.12f}" for v in b))
    # Percentiles (type 7) as the bootstrap takes them.
    v = np.array([3.0, 1.0, 4.0, 1.5, 9.0, 2.6, 5.0])
    print("percentiles " + " ".join(f"{np.percentile(v, q):.12f}" for q in (2.5, 50, 97.5)))


if __name__ == "__main__":
    main()
