"""`make bench` / `python -m bench`: run every benchmark and print one table."""

from __future__ import annotations

import sys

from . import wallet_scaling
from .common import print_table


def main() -> None:
    figures = []
    figures += wallet_scaling.main(sys.argv[1:])
    print("\nAll figures")
    print_table(figures)


if __name__ == "__main__":
    main()
