"""``python -m sms_sink.sandbox``: the same server as ``sms-sink sandbox``, under its own name.

Prints the URL and the test credentials to use; these are sandbox credentials, chosen on
the command line or the defaults, so printing them is the point.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and serve until Ctrl-C or SIGTERM; returns the exit status."""
    from ..cli.common import CliError
    from ..cli.sandbox import __doc__ as usage
    from ..cli.sandbox import configure
    from ..cli.sandbox import main as serve

    parser = argparse.ArgumentParser(
        prog="python -m sms_sink.sandbox", description=(usage or "").split("\n\n", 1)[-1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    configure(parser)
    args = parser.parse_args(argv)
    try:
        return serve(args)
    except CliError as exc:
        print(f"sms-sink sandbox: {exc}", file=sys.stderr)
        return exc.code


if __name__ == "__main__":
    raise SystemExit(main())
