"""`fakeforce --config FILE [--port-base N]`: start the emulator, print one JSON line, serve until signalled."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from .emulator import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fakeforce", description="Salesforce API emulator on 127.0.0.1")
    parser.add_argument("--config", required=True, help="JSON config file")
    parser.add_argument("--port-base", type=int, default=None,
                        help="login host on N, sandbox login on N+1, orgs on N+2... (default: free ports)")
    args = parser.parse_args(argv)
    emu = Emulator.from_config(args.config, port_base=args.port_base).start()
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(json.dumps(emu.info()), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
