"""The emulator's seed CPU with the creators' medias ÷ the same seed without them, alternated in one
run: what the advertisable medias add to demo start-up and to every `POST /admin/reset`."""

import statistics
import time
from collections.abc import Callable

from bench import harness
from partnergraph.emulator.seed import seeded_accounts, seeded_store
from partnergraph.emulator.store import Store

NAME = "emulator_seed"
ROUNDS = 200


def _cpu(make: Callable[[], Store]) -> float:
    started = time.process_time()
    make()
    return time.process_time() - started


def main() -> None:
    """Print the emulator_seed line."""
    for _ in range(10):
        seeded_store()
    with_medias: list[float] = []
    without: list[float] = []
    for _ in range(ROUNDS):
        without.append(_cpu(seeded_accounts))
        with_medias.append(_cpu(seeded_store))
    store = seeded_store()
    medias = len(store.medias)
    full, base = statistics.median(with_medias), statistics.median(without)
    print(
        harness.report(
            NAME,
            full / base,
            "seed CPU with medias ÷ without, medians",
            "≤ 1.25",
            f"{full * 1e3:.2f} vs {base * 1e3:.2f} ms, {medias} medias, {ROUNDS} rounds alternated",
        )
    )


if __name__ == "__main__":
    main()
