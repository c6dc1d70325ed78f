"""`python -m bench`: every benchmark in sequence, one line each; exit 1 if one failed."""

import importlib
import sys

BENCHMARKS = (
    "warm_repeat",
    "new_document",
    "cold_latency",
    "dashboard_mix",
    "memory",
    "shared_state",
    "dashboard_instances",
    "soak",
    "emulator_pages",
    "emulator_seed",
    "persisted_registrations",
    "attacks",
    "data_size",
)


def main() -> int:
    """Run each benchmark's main(); a failure prints its line and the run goes on."""
    failed = 0
    for name in BENCHMARKS:
        try:
            importlib.import_module(f"bench.{name}").main()
        except Exception as error:
            print(f"{name}: failed ({type(error).__name__}: {error})", flush=True)
            failed += 1
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
