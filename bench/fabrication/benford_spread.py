"""How far honest figures of one size miss Benford's law: the basis of digits' `min_orders`.

Honest figures of similar size (one indicator of the counties of a province) are drawn lognormal:
log10 of the values normal with standard deviation `sigma`. For each sigma the script prints the
first- and second-digit MAD from Benford's law of a large sample (the bias from the spread alone,
without sampling noise) and how many orders of magnitude the middle 90% of the values spans
(5th to 95th percentile, what `min_orders` measures), next to Nigrini's marginal MAD limits
(first digit 0.015, second 0.012).

    python bench/fabrication/benford_spread.py [--draws 50] [--size 100000] [--seed 1]
"""

from __future__ import annotations

import argparse

import numpy as np

FIRST = np.log10(1 + 1 / np.arange(1, 10))
SECOND = np.array([sum(np.log10(1 + 1 / (10 * k + d)) for k in range(1, 10)) for d in range(10)])
SIGMAS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=50)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print("sigma  orders(p5-p95)  first-digit MAD  second-digit MAD")
    for sigma in SIGMAS:
        first, second, spread = [], [], []
        for _ in range(args.draws):
            x = 10 ** rng.normal(3.5, sigma, size=args.size)
            mantissa = x / 10 ** np.floor(np.log10(x))
            d1 = mantissa.astype(int)
            d2 = (np.floor(mantissa * 10) % 10).astype(int)
            first.append(np.abs(np.bincount(d1, minlength=10)[1:] / len(x) - FIRST).mean())
            second.append(np.abs(np.bincount(d2, minlength=10) / len(x) - SECOND).mean())
            low, high = np.percentile(x, [5, 95])
            spread.append(np.log10(high / low))
        print(f"{sigma:5.2f}  {np.mean(spread):14.2f}  {np.mean(first):15.4f}  {np.mean(second):16.4f}")


if __name__ == "__main__":
    main()
