"""`make bench` / `python -m bench`: run every benchmark and print one table."""

from __future__ import annotations

import sys

from . import aml_rules, fairness_speed, settlement, wallet_scaling
from .common import print_table


def main() -> None:
    figures = []
    figures += settlement.main([])
    figures += wallet_scaling.main(sys.argv[1:])
    figures += fairness_speed.main([])
    figures += aml_rules.main([])
    print("\nAll figures")
    print_table(figures)


if __name__ == "__main__":
    main()
