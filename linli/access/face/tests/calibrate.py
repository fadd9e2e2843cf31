"""Print the measurements behind the engine's thresholds (the tables in docs/face.md).

Not run by the tests: `python linli/access/face/tests/calibrate.py` after changing
the fixtures, the models or a threshold, then update docs/face.md.
"""

import itertools
from pathlib import Path

import numpy as np

from linli.access.face.engine import get_engine
from linli.access.face.errors import FaceQualityError

FIXTURES = Path(__file__).parent / "fixtures"


def main() -> None:
    engine = get_engine()
    vectors = {}
    print("| fixture | result | face px | sharpness |\n|---|---|---|---|")
    for path in sorted(FIXTURES.glob("*.jpg")):
        try:
            face = engine.embed(path.read_bytes())
        except FaceQualityError as exc:
            print(f"| {path.name} | `{exc.code}` | | |")
            continue
        vectors[path.stem] = face.vector
        print(f"| {path.name} | embedded | {face.box.width} | {face.sharpness:.3f} |")

    print("\n| pair | distance |\n|---|---|")
    same, different = [], []
    for a, b in itertools.combinations(vectors, 2):
        d = float(np.linalg.norm(vectors[a] - vectors[b]))
        if a.split("_")[0] == b.split("_")[0]:
            same.append(d)
            if "_" not in a:  # the original against each of its copies
                print(f"| {a} / {b} | {d:.3f} |")
        else:
            different.append(d)
    print(f"\nsame person, all {len(same)} pairs: {min(same):.3f}-{max(same):.3f}")
    print(f"different people, all {len(different)} pairs: {min(different):.3f}-{max(different):.3f}")


if __name__ == "__main__":
    main()
